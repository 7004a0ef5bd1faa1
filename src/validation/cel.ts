import { Environment, type ParseResult } from '@marcbachmann/cel-js';

/**
 * CEL environments, built once per process (building one is the expensive part). Policies see
 * `object`, `environment` and `variables` as Kubernetes ValidatingAdmissionPolicy does; rollout
 * conditions see `parameters` and `phases`.
 */
const OPTIONS = { homogeneousAggregateLiterals: false, enableOptionalTypes: true } as const;

let policyEnv: Environment | undefined;
let rolloutEnv: Environment | undefined;

export function policyEnvironment(): Environment {
  policyEnv ??= new Environment(OPTIONS).registerVariable('object', 'map').registerVariable('environment', 'string').registerVariable('variables', 'map');
  return policyEnv;
}

export function rolloutEnvironment(): Environment {
  rolloutEnv ??= new Environment(OPTIONS).registerVariable('parameters', 'map').registerVariable('phases', 'map');
  return rolloutEnv;
}

export type CompiledCel = { readonly ok: true; readonly run: ParseResult; readonly type: string } | { readonly ok: false; readonly error: string; readonly offset?: number };

/** First line of a cel-js message (the rest is a source excerpt we print our own way). */
export function celMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

// Compiled expressions are immutable and pure, so they are shared across runs (a controller
// validates the same repo again and again). Bounded so odd inputs cannot grow it without limit.
const CACHE_LIMIT = 10_000;
const cache = new WeakMap<Environment, Map<string, CompiledCel>>();

/** Parses and type-checks an expression, once per environment and text; never throws. */
export function compileCel(env: Environment, expression: string): CompiledCel {
  let perEnv = cache.get(env);
  if (!perEnv) cache.set(env, (perEnv = new Map<string, CompiledCel>()));
  let c = perEnv.get(expression);
  if (!c) {
    if (perEnv.size >= CACHE_LIMIT) perEnv.clear();
    perEnv.set(expression, (c = compileUncached(env, expression)));
  }
  return c;
}

function compileUncached(env: Environment, expression: string): CompiledCel {
  try {
    const run = env.parse(expression);
    const checked = run.check();
    if (!checked.valid) {
      const offset = checked.error?.range?.start;
      return { ok: false, error: celMessage(checked.error), ...(offset === undefined ? {} : { offset }) };
    }
    return { ok: true, run, type: checked.type ?? 'dyn' };
  } catch (err) {
    const offset = (err as { range?: { start?: number } }).range?.start;
    return { ok: false, error: celMessage(err), ...(offset === undefined ? {} : { offset }) };
  }
}

/**
 * JSON numbers that are integers become CEL ints (BigInt), as Kubernetes decodes them, so
 * `object.spec.replicas + 1` type-checks as int arithmetic. Returns a copy; the manifest is never modified.
 */
export function toCelValue(value: unknown, depth = 0): unknown {
  // YAML aliases can build self-referencing values; nothing real nests this deep.
  if (depth > 64) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((v) => toCelValue(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCelValue(v, depth + 1);
    return out;
  }
  return value;
}
