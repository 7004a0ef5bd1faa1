// The PloyD SDK over HTTP (`import { PloydClient } from 'ployd'`).
export { PloydClient, type PloydClientOptions } from './ployd-client.ts';
export { errorFromResponse, reviveDates } from './transport.ts';
