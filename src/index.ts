// The public face of the `ployd` package: what users import in their own scripts.
export * from './errors/index.ts';
export { PloydClient, type PloydClientOptions } from './sdk/client/index.ts';
