export { Http1Server, type Http1Handlers, type Http1Limits } from './server.ts';
export { Http1Request, type BodyCallback } from './request.ts';
export { Http1Response } from './response.ts';
export { parseHead, isRefusal, type RequestHead, type HeadRefusal } from './head.ts';
export { ChunkedDecoder, ChunkedError } from './chunked.ts';
