export { Authenticator, presentedCredential } from './authenticate.ts';
export { ApiKeyAuthenticator, type CredentialMemo } from './api-key.ts';
export { JwtVerifier, type JwtConfig } from './jwt.ts';
export type { Principal } from './principal.ts';
