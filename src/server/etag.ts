import { validationError } from './error-body.ts';

/** A resourceVersion as a strong ETag. */
export function etagOf(resourceVersion: string | number): string {
  return `"${String(resourceVersion)}"`;
}

/**
 * The resourceVersion an `If-Match` header demands, or undefined when absent or `*`. Weak tags are
 * refused: a conditional update needs byte-exact versions.
 */
export function resourceVersionFromIfMatch(header: string | undefined | null): string | undefined {
  if (header === undefined || header === null) return undefined;
  const value = header.trim();
  if (value === '*' || value === '') return undefined;
  const m = /^"([^"\s]{1,64})"$/.exec(value);
  if (!m?.[1]) throw validationError([{ path: 'If-Match', message: 'must be one strong ETag such as "12"' }]);
  return m[1];
}

/**
 * Reconciles the two ways a client states the version it read: `If-Match` and `resourceVersion`
 * in the body. When both are given they must agree, or the request is ambiguous.
 */
export function expectedVersion(ifMatch: string | undefined, bodyVersion: string | number | undefined): string | undefined {
  const body = bodyVersion === undefined ? undefined : String(bodyVersion);
  if (ifMatch !== undefined && body !== undefined && ifMatch !== body) {
    throw validationError([{ path: 'resourceVersion', message: `disagrees with If-Match (${ifMatch})` }]);
  }
  return ifMatch ?? body;
}
