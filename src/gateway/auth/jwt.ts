import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey, type JWSHeaderParameters } from 'jose';
import { PloydError } from '../../errors/index.ts';
import type { Principal } from './principal.ts';

export interface JwtConfig {
  readonly issuer?: string | undefined;
  readonly audience?: string | readonly string[] | undefined;
  readonly jwksUrl?: string | undefined;
  readonly keys?: readonly string[] | undefined;
  readonly algorithms: readonly string[];
  readonly tierClaim?: string | undefined;
}

interface StaticKey {
  readonly key: KeyObject;
  readonly kid: string | undefined;
  /** Key family: an HS* token only ever meets a secret, an RS* token only an RSA key. */
  readonly family: 'oct' | 'RSA' | 'EC' | 'OKP';
}

function familyOfAlg(alg: string): StaticKey['family'] | undefined {
  if (alg.startsWith('HS')) return 'oct';
  if (alg.startsWith('RS') || alg.startsWith('PS')) return 'RSA';
  if (alg.startsWith('ES')) return 'EC';
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'OKP';
  return undefined;
}

function parseStaticKey(text: string, env: NodeJS.ProcessEnv): StaticKey {
  const t = text.trim();
  if (t.startsWith('env:')) {
    const name = t.slice(4);
    const secret = env[name];
    if (!secret) throw new PloydError('E_SCHEMA', `authentication.jwt.keys: environment variable ${name} is not set`);
    return { key: createSecretKey(Buffer.from(secret, 'utf8')), kid: undefined, family: 'oct' };
  }
  try {
    if (t.startsWith('{')) {
      const jwk = JSON.parse(t) as { kty?: string; kid?: string; d?: unknown };
      if (jwk.kty === 'oct') throw new PloydError('E_SECRET_PLAINTEXT', 'authentication.jwt.keys: put HMAC secrets in the environment (env:NAME), not in the route');
      if (jwk.d !== undefined) throw new PloydError('E_SECRET_PLAINTEXT', 'authentication.jwt.keys: a private JWK was given; give the public key');
      const key = createPublicKey({ key: jwk as Parameters<typeof createPublicKey>[0] & object as never, format: 'jwk' });
      return { key, kid: jwk.kid, family: keyFamily(key) };
    }
    const key = createPublicKey(t);
    return { key, kid: undefined, family: keyFamily(key) };
  } catch (err) {
    if (err instanceof PloydError) throw err;
    throw new PloydError('E_SCHEMA', 'authentication.jwt.keys: not a PEM public key, a public JWK or env:NAME', {}, { cause: err });
  }
}

function keyFamily(key: KeyObject): StaticKey['family'] {
  const t = key.asymmetricKeyType;
  if (t === 'rsa' || t === 'rsa-pss') return 'RSA';
  if (t === 'ec') return 'EC';
  return 'OKP';
}

/**
 * Verifies JWTs for one route's configuration: signature with JWKS (fetched and cached by jose) or
 * static keys, issuer, audience, expiry, and an algorithm allow-list. `alg: none` never verifies
 * (jose refuses unsecured tokens), and a key is only offered to tokens of its own family, so an
 * HS256 token "signed" with the RSA public key as secret fails.
 */
export class JwtVerifier {
  readonly #config: JwtConfig;
  readonly #getKey: JWTVerifyGetKey;

  constructor(config: JwtConfig, env: NodeJS.ProcessEnv = process.env) {
    this.#config = config;
    if (config.algorithms.some((a) => a.toLowerCase() === 'none')) throw new PloydError('E_SCHEMA', 'authentication.jwt.algorithms: "none" is not allowed');
    if (config.jwksUrl) {
      const jwks = createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
      this.#getKey = jwks;
    } else {
      const keys = (config.keys ?? []).map((k) => parseStaticKey(k, env));
      if (keys.length === 0) throw new PloydError('E_SCHEMA', 'authentication.jwt: give jwksUrl or keys');
      this.#getKey = (header: JWSHeaderParameters) => {
        const family = familyOfAlg(header.alg ?? '');
        const candidates = keys.filter((k) => k.family === family && (header.kid === undefined || k.kid === undefined || k.kid === header.kid));
        const key = candidates[0];
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key.key;
      };
    }
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const result = await jwtVerify(token, this.#getKey, {
        algorithms: [...this.#config.algorithms],
        ...(this.#config.issuer !== undefined ? { issuer: this.#config.issuer } : {}),
        ...(this.#config.audience !== undefined ? { audience: typeof this.#config.audience === 'string' ? this.#config.audience : [...this.#config.audience] } : {}),
        clockTolerance: 5,
      });
      payload = result.payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new PloydError('E_TOKEN_EXPIRED', 'JWT has expired');
      const reason = err instanceof joseErrors.JOSEError ? err.code : 'ERR_JWT_INVALID';
      throw new PloydError('E_UNAUTHENTICATED', `invalid JWT (${reason})`, { reason });
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new PloydError('E_UNAUTHENTICATED', 'invalid JWT (no sub claim)');
    const claim = this.#config.tierClaim ? (payload as Record<string, unknown>)[this.#config.tierClaim] : undefined;
    const tiers = typeof claim === 'string' ? [claim] : Array.isArray(claim) ? claim.filter((x): x is string => typeof x === 'string') : [];
    return { method: 'jwt', id: payload.sub, name: payload.sub, routes: undefined, tiers, rpm: undefined, tpm: undefined };
  }
}
