import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PloydError } from '../errors/index.ts';
import { GatewayRoute } from '../resources/index.ts';
import { parseStrict, queryObject, readJsonBody } from './request-input.ts';
import { expectedVersion, resourceVersionFromIfMatch } from './etag.ts';
import { formatPath, toErrorResponse } from './error-body.ts';

function caught(fn: () => unknown): PloydError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PloydError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

async function caughtAsync(p: Promise<unknown>): Promise<PloydError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PloydError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

const route = {
  apiVersion: 'ployd.ai/v1',
  kind: 'GatewayRoute',
  metadata: { name: 'chat' },
  spec: { models: [{ name: 'a', weight: 90 }, { name: 'b', weight: 10 }] },
};

describe('parseStrict', () => {
  it('answers field paths as users write them', () => {
    const bad = structuredClone(route) as { spec: { models: { weight: unknown }[] } };
    bad.spec.models[1]!.weight = 'ten';
    const err = caught(() => parseStrict(GatewayRoute, bad));
    expect(err.code).toBe('E_VALIDATION');
    expect(err.details.issues).toEqual([expect.objectContaining({ path: 'spec.models[1].weight' })]);
  });

  it('rejects unknown fields that the schema would strip, suggesting the likely name', () => {
    const bad = { ...route, spec: { ...route.spec, rateLimt: {} } };
    const err = caught(() => parseStrict(GatewayRoute, bad));
    expect(err.details.issues).toEqual([{ path: 'spec.rateLimt', message: 'unknown field (did you mean rateLimit?)' }]);
  });

  it('splits unrecognized keys of strict objects into one issue per key', () => {
    const err = caught(() => parseStrict(z.strictObject({ a: z.number() }), { a: 1, b: 2, c: 3 }));
    expect((err.details.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(['b', 'c']);
  });

  it('returns parsed values when valid', () => {
    expect(parseStrict(GatewayRoute, route).spec.routing.strategy).toBe('weighted_round_robin');
  });
});

describe('readJsonBody', () => {
  const req = (body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    new Request('http://x/', { method: 'POST', headers, ...(body !== undefined ? { body } : {}) });

  it('parses JSON and accepts +json media types with parameters', async () => {
    expect(await readJsonBody(req('{"a":1}'))).toEqual({ a: 1 });
    expect(await readJsonBody(req('{"a":1}', { 'content-type': 'application/merge-patch+json; charset=utf-8' }))).toEqual({ a: 1 });
    expect(await readJsonBody(req(undefined))).toBeUndefined();
  });

  it('415 for other content types, 400 for malformed JSON, 413 beyond the limit (declared or streamed)', async () => {
    expect((await caughtAsync(readJsonBody(req('a=1', { 'content-type': 'application/x-www-form-urlencoded' })))).code).toBe('E_UNSUPPORTED_MEDIA_TYPE');
    expect((await caughtAsync(readJsonBody(req('{"a":', {})))).code).toBe('E_UNSUPPORTED_MEDIA_TYPE');
    const malformed = await caughtAsync(readJsonBody(req('{"a":')));
    expect(malformed.code).toBe('E_VALIDATION');
    expect(malformed.message).toMatch(/malformed JSON/);
    expect((await caughtAsync(readJsonBody(req('x'.repeat(2000)), 1000))).code).toBe('E_BODY_TOO_LARGE');
    const lying = new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '5000' }, body: '{}' });
    expect((await caughtAsync(readJsonBody(lying, 1000))).code).toBe('E_BODY_TOO_LARGE');
  });
});

describe('etag and versions', () => {
  it('reads strong ETags and refuses weak or malformed ones', () => {
    expect(resourceVersionFromIfMatch('"12"')).toBe('12');
    expect(resourceVersionFromIfMatch('*')).toBeUndefined();
    expect(resourceVersionFromIfMatch(undefined)).toBeUndefined();
    expect(caught(() => resourceVersionFromIfMatch('W/"12"')).code).toBe('E_VALIDATION');
    expect(caught(() => resourceVersionFromIfMatch('12')).code).toBe('E_VALIDATION');
  });

  it('If-Match and the body must agree', () => {
    expect(expectedVersion('3', 3)).toBe('3');
    expect(expectedVersion(undefined, 4)).toBe('4');
    expect(caught(() => expectedVersion('3', 4)).code).toBe('E_VALIDATION');
  });
});

describe('error bodies', () => {
  it('formats paths and hides internal messages of 5xx', () => {
    expect(formatPath(['spec', 'models', 0, 'weight'])).toBe('spec.models[0].weight');
    const internal = toErrorResponse(new Error('select * from secrets failed'));
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal.body)).not.toContain('secrets');
    const conflict = toErrorResponse(new PloydError('E_CONFLICT', 'stale', { current: 3 }));
    expect(conflict).toMatchObject({ status: 409, body: { error: { code: 'E_CONFLICT', message: 'stale', details: { current: 3 } } } });
  });

  it('query strings become objects, repeated keys arrays', () => {
    expect(queryObject(new URL('http://x/?a=1&b=2&b=3'))).toEqual({ a: '1', b: ['2', '3'] });
  });
});
