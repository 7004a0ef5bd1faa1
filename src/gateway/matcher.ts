import type { StringMatch } from '../resources/index.ts';
import { PloydError } from '../errors/index.ts';

/** A precompiled string test; built once per snapshot so the hot path does no parsing. */
export type StringTest = (value: string | undefined) => boolean;

/** Compiles a Gateway-API-style string match (`Exact`, `Prefix`, `RegularExpression`). */
export function compileStringMatch(match: { type: StringMatch['type']; value: string }, field: string): StringTest {
  const expected = match.value;
  switch (match.type) {
    case 'Exact':
      return (v) => v === expected;
    case 'Prefix':
      return (v) => v !== undefined && v.startsWith(expected);
    case 'RegularExpression': {
      let re: RegExp;
      try {
        // Anchored like Gateway API's RE2 full match, so `gpt-4` does not match `gpt-4o-mini` by accident.
        re = new RegExp(`^(?:${expected})$`);
      } catch (err) {
        throw new PloydError('E_SCHEMA', `${field}: invalid regular expression ${JSON.stringify(expected)}`, { field }, { cause: err });
      }
      return (v) => v !== undefined && re.test(v);
    }
  }
}

/** Host match: exact, or `*.example.com` wildcard; the port of the Host header is ignored. */
export function compileHostMatch(hosts: readonly string[]): StringTest {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const h of hosts) {
    const host = h.toLowerCase();
    if (host.startsWith('*.')) suffixes.push(host.slice(1));
    else exact.add(host);
  }
  return (value) => {
    if (value === undefined) return false;
    const colon = value.lastIndexOf(':');
    const host = (colon > 0 && !value.endsWith(']') ? value.slice(0, colon) : value).toLowerCase();
    if (exact.has(host)) return true;
    for (const s of suffixes) if (host.endsWith(s)) return true;
    return false;
  };
}
