import { describe, expect, it } from 'vitest';
import type { ApiKeyPrincipal, ApiKeyVerifier } from '../types.ts';
import { ApiKeyAuthenticator, type CredentialMemo } from './api-key.ts';

class CountingVerifier implements ApiKeyVerifier {
  calls = 0;
  readonly keys = new Map<string, ApiKeyPrincipal>();
  verify(key: string): Promise<ApiKeyPrincipal | undefined> {
    this.calls++;
    return Promise.resolve(this.keys.get(key));
  }
}

describe('ApiKeyAuthenticator with a connection memo', () => {
  it('answers a repeated key from the memo, a different key from the cache or the store', async () => {
    const v = new CountingVerifier();
    v.keys.set('sk-a', { id: 'a', name: 'a' });
    v.keys.set('sk-b', { id: 'b', name: 'b' });
    const auth = new ApiKeyAuthenticator(v, { ttlMs: 1_000 });
    const memo: CredentialMemo = {};
    expect((await auth.authenticate('sk-a', 0, memo)).id).toBe('a'); // store
    expect(memo.key).toBeUndefined(); // remembered only on a cache hit
    expect((auth.authenticate('sk-a', 10, memo) as { id: string }).id).toBe('a'); // cache
    expect(memo.key).toBe('sk-a');
    expect((auth.authenticate('sk-a', 20, memo) as { id: string }).id).toBe('a'); // memo
    // Another key on the same connection is not confused with the remembered one.
    expect((await auth.authenticate('sk-b', 30, memo)).id).toBe('b');
    await expect(Promise.resolve().then(() => auth.authenticate('sk-nope', 40, memo))).rejects.toMatchObject({ code: 'E_UNAUTHENTICATED' });
    expect(v.calls).toBe(3);
  });

  it('a remembered entry past its TTL goes back to the store (a revoked key stops working)', async () => {
    const v = new CountingVerifier();
    v.keys.set('sk-a', { id: 'a', name: 'a' });
    const auth = new ApiKeyAuthenticator(v, { ttlMs: 1_000 });
    const memo: CredentialMemo = {};
    await auth.authenticate('sk-a', 0, memo);
    expect(auth.authenticate('sk-a', 10, memo)).toMatchObject({ id: 'a' });
    expect(memo.key).toBe('sk-a');
    v.keys.delete('sk-a'); // revoked in the store
    expect((auth.authenticate('sk-a', 999, memo) as { id: string }).id).toBe('a'); // within the TTL
    await expect(Promise.resolve().then(() => auth.authenticate('sk-a', 1_001, memo))).rejects.toMatchObject({ code: 'E_UNAUTHENTICATED' });
    expect(v.calls).toBe(2);
  });

  it('a remembered key that expires is refused', async () => {
    const v = new CountingVerifier();
    v.keys.set('sk-a', { id: 'a', name: 'a', expiresAt: new Date(500) });
    const auth = new ApiKeyAuthenticator(v, { ttlMs: 10_000 });
    const memo: CredentialMemo = {};
    await auth.authenticate('sk-a', 0, memo);
    expect(auth.authenticate('sk-a', 10, memo)).toMatchObject({ id: 'a' });
    expect(memo.key).toBe('sk-a');
    expect(() => auth.authenticate('sk-a', 600, memo)).toThrow(expect.objectContaining({ code: 'E_TOKEN_EXPIRED' }) as Error);
  });
});
