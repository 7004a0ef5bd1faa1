import { describe, expect, it } from 'vitest';
import { PloydError } from '../../errors/index.ts';
import { errorFromResponse, reviveDates, Transport } from './transport.ts';

describe('PloydClient transport', () => {
  it('revives dates under known keys but never inside user data', () => {
    const r = reviveDates({
      createdAt: '2026-01-02T03:04:05.000Z',
      items: [{ at: '2026-01-02T03:04:05.000Z', labels: { at: '2026-01-02T03:04:05.000Z' } }],
      manifest: { updatedAt: '2026-01-02T03:04:05.000Z' },
      name: '2026-01-02T03:04:05.000Z',
    }) as { createdAt: unknown; items: { at: unknown; labels: { at: unknown } }[]; manifest: { updatedAt: unknown }; name: unknown };
    expect(r.createdAt).toBeInstanceOf(Date);
    expect(r.items[0]?.at).toBeInstanceOf(Date);
    expect(r.items[0]?.labels.at).toBe('2026-01-02T03:04:05.000Z');
    expect(r.manifest.updatedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(r.name).toBe('2026-01-02T03:04:05.000Z');
  });

  it('maps error bodies back to PloydErrors with the same code and issues', () => {
    const e = errorFromResponse(400, { error: { code: 'E_VALIDATION', message: 'bad', issues: [{ path: 'spec.x', message: 'no' }] } });
    expect(e).toBeInstanceOf(PloydError);
    expect(e.code).toBe('E_VALIDATION');
    expect(e.details.issues).toEqual([{ path: 'spec.x', message: 'no' }]);
    expect(errorFromResponse(403, { error: { code: 'E_NO_SUCH_CODE', message: 'x' } }).code).toBe('E_FORBIDDEN');
    expect(errorFromResponse(502, 'not json').code).toBe('E_INTERNAL');
  });

  it('refuses a server that is not an http(s) URL', () => {
    expect(() => new Transport({ server: 'ftp://x' })).toThrow(/http/);
    expect(() => new Transport({ server: 'not a url' })).toThrow(/URL/);
  });
});
