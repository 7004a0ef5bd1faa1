import type { z } from 'zod';
import { PloydError } from '../errors/index.ts';
import { findUnknownFields } from '../resources/index.ts';
import { formatPath, validationError, type FieldIssue } from './error-body.ts';

/** Default request-body limit: control-plane bodies are manifests, never model weights. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** zod issues as field issues; `unrecognized_keys` is split into one issue per key so each has its own path. */
export function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.flatMap((i): FieldIssue[] => {
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({ path: formatPath([...prefix, ...i.path, k]), message: 'unknown field' }));
    }
    return [{ path: formatPath([...prefix, ...i.path]), message: i.message }];
  });
}

/**
 * Validates a value against a schema and rejects fields the schema does not know, even where the
 * schema itself would silently strip them: a typo like `minReplica` must not be accepted and lost.
 */
export function parseStrict<S extends z.ZodType>(schema: S, value: unknown, prefix: readonly PropertyKey[] = []): z.output<S> {
  const unknown: FieldIssue[] = findUnknownFields(schema, value).map((u) => ({
    path: formatPath([...prefix, ...u.path]),
    message: u.suggestion ? `unknown field (did you mean ${u.suggestion}?)` : 'unknown field',
  }));
  const r = schema.safeParse(value);
  if (r.success && unknown.length === 0) return r.data;
  // Both zod (strict objects) and the schema walk report unknown keys; keep the walk's, it suggests names.
  const unknownPaths = new Set(unknown.map((u) => u.path));
  const zodIssues = r.success ? [] : issuesOf(r.error, prefix).filter((i) => !(i.message === 'unknown field' && unknownPaths.has(i.path)));
  const issues = [...zodIssues, ...unknown];
  throw validationError(issues);
}

function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const media = value.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(media);
}

/**
 * Reads a request body's bytes, 413 `E_BODY_TOO_LARGE` beyond `limit` (checked on the declared
 * length and again while streaming, since the header can lie or be absent). No body = empty.
 */
export async function readBodyBytes(req: Request, limit: number = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    throw new PloydError('E_BODY_TOO_LARGE', `request body exceeds ${limit} bytes`, { limit });
  }
  if (req.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Node's web streams are async-iterable; breaking out of the loop cancels the stream.
  for await (const value of req.body as unknown as AsyncIterable<Uint8Array>) {
    size += value.byteLength;
    if (size > limit) throw new PloydError('E_BODY_TOO_LARGE', `request body exceeds ${limit} bytes`, { limit });
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON request body: 415 unless `Content-Type` is JSON, 413 beyond `limit` bytes, 400
 * when the JSON does not parse. An absent body reads as `undefined`.
 */
export async function readJsonBody(req: Request, limit: number = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const body = await readBodyBytes(req, limit);
  const size = body.length;
  if (size === 0) return undefined;
  if (!isJsonContentType(req.headers.get('content-type'))) {
    throw new PloydError('E_UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', {
      contentType: req.headers.get('content-type') ?? '',
    });
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw validationError([{ path: '', message: `malformed JSON: ${(err as Error).message}` }], `malformed JSON body: ${(err as Error).message}`);
  }
}

/** Query parameters as a plain object; a repeated parameter becomes an array. */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? (all[0] ?? '') : all;
  }
  return out;
}
