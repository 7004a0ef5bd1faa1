import { ERROR_CATALOGUE, type ErrorCode } from '../errors/index.ts';

/** OpenAI's error `type` for a status, so OpenAI clients raise the matching exception class. */
export function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** `{"error": {"message", "type", "code", "param"}}` as a Buffer, ready to write. */
export function openAiErrorBody(code: ErrorCode, message: string, param: string | null = null): Buffer {
  const status = ERROR_CATALOGUE[code].http;
  return Buffer.from(JSON.stringify({ error: { message, type: openAiErrorType(status), code, param } }));
}

/** The SSE event that ends a stream which failed after its first byte: never a clean `[DONE]`. */
export function sseErrorEvent(code: ErrorCode, message: string): Buffer {
  const status = ERROR_CATALOGUE[code].http;
  return Buffer.from(`data: ${JSON.stringify({ error: { message, type: openAiErrorType(status), code, param: null } })}\n\n`);
}
