export type { ApiKeyPrincipal, ApiKeyVerifier, RouteTableInput, RouteTableSink } from './types.ts';
