import { hash } from 'node:crypto';
import { PloydError } from '../../errors/index.ts';
import type { ApiKeyPrincipal, ApiKeyVerifier } from '../types.ts';
import type { Principal } from './principal.ts';

/**
 * The API key a connection last presented and its cache entry. Keep-alive clients send the same key
 * on every request: comparing the string is cheaper than hashing it (SHA-256 was ~4% of the
 * gateway's CPU per request). The key is held only by the connection that sent it, for its lifetime;
 * the shared cache still keys by hash. The entry's TTL applies as in the cache.
 */
export interface CredentialMemo {
  key?: string;
  entry?: CacheEntry;
}

interface CacheEntry {
  readonly principal: ApiKeyPrincipal | undefined;
  /** The gateway's view of it, built once per verification (immutable, shared by requests). */
  readonly view: Principal | undefined;
  readonly until: number;
}

function viewOf(p: ApiKeyPrincipal): Principal {
  return Object.freeze({
    method: 'api_key',
    id: p.id,
    name: p.name,
    routes: p.routes && p.routes.length > 0 ? p.routes : undefined,
    tiers: p.tiers ?? [],
    rpm: p.rpm,
    tpm: p.tpm,
  });
}

/**
 * Verifies API keys through the store's verifier with a short cache, so the hot path does not hit
 * the database on every request. The cache is keyed by a SHA-256 of the key (the key itself is never
 * kept); a revoked key stays usable for at most `ttlMs`. Misses are cached briefly too, so a flood
 * of bad keys does not reach the store.
 */
export class ApiKeyAuthenticator {
  readonly #verifier: ApiKeyVerifier;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inflight = new Map<string, Promise<ApiKeyPrincipal | undefined>>();
  readonly #ttlMs: number;
  readonly #negativeTtlMs: number;
  readonly #maxEntries: number;

  constructor(verifier: ApiKeyVerifier, opts: { ttlMs?: number; negativeTtlMs?: number; maxEntries?: number } = {}) {
    this.#verifier = verifier;
    this.#ttlMs = opts.ttlMs ?? 5_000;
    this.#negativeTtlMs = opts.negativeTtlMs ?? 1_000;
    this.#maxEntries = opts.maxEntries ?? 50_000;
  }

  /**
   * The principal for a key. A cache hit answers synchronously (no promise, no microtask on the
   * request path); a miss asks the store. Throws (or rejects) E_UNAUTHENTICATED / E_TOKEN_EXPIRED.
   */
  authenticate(key: string, now: number, memo?: CredentialMemo): Principal | Promise<Principal> {
    const remembered = memo?.key === key ? memo.entry : undefined;
    if (remembered && remembered.until > now) return judge(remembered, now);
    // One-shot hash: a third of createHash()'s cost, measured on the request path.
    const digest = hash('sha256', key, 'base64');
    const entry = this.#cache.get(digest);
    if (entry && entry.until > now) {
      if (memo) {
        memo.key = key;
        memo.entry = entry;
      }
      return judge(entry, now);
    }
    return this.#verify(key, digest, now);
  }

  async #verify(key: string, digest: string, now: number): Promise<Principal> {
    // Coalesce concurrent verifications of the same key into one store lookup.
    let pending = this.#inflight.get(digest);
    if (!pending) {
      pending = this.#verifier.verify(key).finally(() => this.#inflight.delete(digest));
      this.#inflight.set(digest, pending);
    }
    const principal = await pending;
    if (this.#cache.size >= this.#maxEntries) this.#cache.clear();
    const entry: CacheEntry = { principal, view: principal ? viewOf(principal) : undefined, until: now + (principal ? this.#ttlMs : this.#negativeTtlMs) };
    this.#cache.set(digest, entry);
    return judge(entry, now);
  }
}

function judge(entry: CacheEntry, now: number): Principal {
  const { principal, view } = entry;
  if (!principal || !view) throw new PloydError('E_UNAUTHENTICATED', 'invalid API key');
  if (principal.expiresAt && principal.expiresAt.getTime() <= now) throw new PloydError('E_TOKEN_EXPIRED', 'API key has expired');
  return view;
}
