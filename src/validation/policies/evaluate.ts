import type { Diagnostic } from '../../errors/index.ts';
import type { Policy } from '../../resources/index.ts';
import { celMessage, compileCel, policyEnvironment, toCelValue, type CompiledCel } from '../cel.ts';
import { envOf, ofKind } from '../context.ts';
import { finding } from '../locate.ts';
import type { ValidateOptions, ValidationInput } from '../types.ts';

type Runnable = Extract<CompiledCel, { ok: true }>['run'];

interface CompiledValidation {
  readonly index: number;
  readonly expression: string;
  readonly message: string;
  readonly run: Runnable;
}

/** A Policy compiled once per validation run, ready to evaluate against many resources. */
export interface CompiledPolicy {
  readonly input: ValidationInput;
  readonly policy: Policy;
  readonly environment: string;
  readonly variables: readonly { readonly name: string; readonly run: Runnable | undefined; readonly error?: string }[];
  readonly validations: readonly CompiledValidation[];
}

function groupOf(apiVersion: unknown): string {
  const s = String(apiVersion);
  const slash = s.indexOf('/');
  return slash < 0 ? '' : s.slice(0, slash);
}

/** The CEL name of a runtime value's type, for messages. */
function celTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/**
 * Compiles every Policy's variables and validations. An expression is compiled once per run even
 * when several policies repeat it. Compile and type errors are reported on the expression's line.
 */
export function compilePolicies(inputs: readonly ValidationInput[], options: ValidateOptions): { policies: CompiledPolicy[]; diagnostics: Diagnostic[] } {
  const env = policyEnvironment();
  const cache = new Map<string, CompiledCel>();
  const compile = (expr: string): CompiledCel => {
    let c = cache.get(expr);
    if (!c) cache.set(expr, (c = compileCel(env, expr)));
    return c;
  };
  const policies: CompiledPolicy[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { input, resource } of ofKind(inputs, 'Policy')) {
    const spec = resource.spec;
    // A broken variable is reported once, at its line; expressions that use it are skipped rather
    // than failing on every resource.
    const broken: string[] = [];
    const usesBroken = (expr: string): boolean => broken.some((n) => new RegExp(`\\bvariables\\s*\\.\\s*${n}\\b`).test(expr));
    const variables = (spec.variables ?? []).map((v, i) => {
      if (usesBroken(v.expression)) {
        broken.push(v.name);
        return { name: v.name, run: undefined, error: 'uses a variable that does not compile' };
      }
      const c = compile(v.expression);
      if (c.ok) return { name: v.name, run: c.run };
      broken.push(v.name);
      diagnostics.push(
        finding(input, ['spec', 'variables', i, 'expression'], { code: 'E_POLICY_INVALID', message: `variable ${v.name} does not compile: ${c.error}` }),
      );
      return { name: v.name, run: undefined, error: c.error };
    });
    const validations: CompiledValidation[] = [];
    spec.validations.forEach((v, i) => {
      if (usesBroken(v.expression)) return;
      const c = compile(v.expression);
      const path = ['spec', 'validations', i, 'expression'];
      if (!c.ok) {
        diagnostics.push(finding(input, path, { code: 'E_POLICY_INVALID', message: `expression does not compile: ${c.error}` }));
        return;
      }
      if (c.type !== 'bool' && c.type !== 'dyn') {
        diagnostics.push(finding(input, path, { code: 'E_POLICY_INVALID', message: `expression must evaluate to bool, not ${c.type}` }));
        return;
      }
      validations.push({ index: i, expression: v.expression, message: v.message ?? `failed expression: ${v.expression}`, run: c.run });
    });
    policies.push({ input, policy: resource, environment: envOf(input, options), variables, validations });
  }
  return { policies, diagnostics };
}

interface Matcher {
  matches(input: ValidationInput, env: string): boolean;
}

interface ActivePolicy {
  readonly p: CompiledPolicy;
  readonly m: Matcher;
}

const GLOB_CHARS = /[*?[\]]/;

/**
 * Narrows which policies can match a resource by kind and, for policies that list literal names,
 * by name: a repo with a policy per application then costs one lookup per resource instead of a
 * test against every policy. Candidates come out in policy order and are still confirmed by
 * `matches`.
 */
function indexPolicies(active: readonly ActivePolicy[]): { candidates(input: ValidationInput): ActivePolicy[] } {
  const buckets = new Map<string, { byName: Map<string, number[]>; rest: number[] }>();
  const bucket = (kind: string) => {
    let b = buckets.get(kind);
    if (!b) buckets.set(kind, (b = { byName: new Map(), rest: [] }));
    return b;
  };
  active.forEach(({ p }, i) => {
    const m = p.policy.spec.match;
    const kinds = m.kinds.includes('*') ? ['*'] : m.kinds;
    const literal = m.names !== undefined && m.names.every((n) => !GLOB_CHARS.test(n)) ? m.names : undefined;
    for (const k of kinds) {
      const b = bucket(k);
      if (literal) for (const n of literal) b.byName.set(n, [...(b.byName.get(n) ?? []), i]);
      else b.rest.push(i);
    }
  });
  return {
    candidates(input) {
      const name = input.parsed.resource.metadata.name;
      const kinds = new Set(['*', String(input.parsed.manifest.kind), ...(input.parsed.original ? [String(input.parsed.original.kind)] : [])]);
      const ids = new Set<number>();
      for (const k of kinds) {
        const b = buckets.get(k);
        if (!b) continue;
        for (const i of b.rest) ids.add(i);
        for (const i of b.byName.get(name) ?? []) ids.add(i);
      }
      return [...ids].sort((a, b) => a - b).map((i) => active[i] as ActivePolicy);
    },
  };
}

function matcher(p: CompiledPolicy): Matcher {
  const m = p.policy.spec.match;
  const kinds = m.kinds.includes('*') ? undefined : new Set(m.kinds);
  const groups = m.apiGroups === undefined || m.apiGroups.includes('*') ? undefined : new Set(m.apiGroups);
  const envs = m.environments === undefined ? undefined : new Set(m.environments);
  const names = m.names === undefined ? undefined : m.names.map(globToRegExp);
  return {
    matches(input, env) {
      if (p.environment !== '' && env !== '' && p.environment !== env) return false;
      const manifest = input.parsed.manifest;
      const original = input.parsed.original;
      if (kinds && !kinds.has(String(manifest.kind)) && !(original && kinds.has(String(original.kind)))) return false;
      if (groups && !groups.has(groupOf(manifest.apiVersion)) && !(original && groups.has(groupOf(original.apiVersion)))) return false;
      if (envs && !envs.has(env)) return false;
      if (names) {
        const name = input.parsed.resource.metadata.name;
        if (!names.some((re) => re.test(name))) return false;
      }
      return true;
    },
  };
}

/** Lazily evaluated `variables`, as in ValidatingAdmissionPolicy: each is computed on first use, once. */
function lazyVariables(p: CompiledPolicy, base: { object: unknown; environment: string }): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  const ctx = { ...base, variables: vars };
  for (const v of p.variables) {
    let done = false;
    let value: unknown;
    Object.defineProperty(vars, v.name, {
      enumerable: true,
      get() {
        if (!done) {
          if (!v.run) throw new Error(`variable ${v.name} does not compile: ${v.error ?? ''}`);
          value = v.run(ctx) as unknown;
          done = true;
        }
        return value;
      },
    });
  }
  return vars;
}

/**
 * Evaluates compiled policies against every matching resource. False → E_POLICY_DENY (deny) or
 * W_POLICY_WARN (warn) with the policy's message; an evaluation error counts as a violation
 * (failurePolicy Fail) and is reported as E_POLICY_INVALID with the error, at the resource.
 */
export function evaluatePolicies(policies: readonly CompiledPolicy[], inputs: readonly ValidationInput[], options: ValidateOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const active = policies.filter((p) => p.validations.length > 0).map((p) => ({ p, m: matcher(p) }));
  if (active.length === 0) return out;
  const index = indexPolicies(active);
  for (const input of inputs) {
    const env = envOf(input, options);
    let object: unknown;
    for (const { p, m } of index.candidates(input)) {
      if (!m.matches(input, env)) continue;
      object ??= toCelValue(input.parsed.manifest);
      const base = { object, environment: env };
      const ctx = p.variables.length > 0 ? { ...base, variables: lazyVariables(p, base) } : { ...base, variables: {} };
      const deny = p.policy.spec.action === 'deny';
      const severity = deny ? 'error' : 'warning';
      const name = p.policy.metadata.name;
      for (const v of p.validations) {
        let result: unknown;
        try {
          result = v.run(ctx);
        } catch (err) {
          out.push(
            finding(input, [], {
              code: 'E_POLICY_INVALID',
              severity,
              message: `policy ${name} validations[${v.index}] errored on this resource: ${celMessage(err)} (${v.message})`,
              suggestion: 'guard optional fields with has() in the policy expression',
            }),
          );
          continue;
        }
        if (result === true) continue;
        if (result === false) {
          out.push(finding(input, [], { code: deny ? 'E_POLICY_DENY' : 'W_POLICY_WARN', severity, message: `${v.message} (policy ${name})` }));
        } else {
          out.push(
            finding(input, [], {
              code: 'E_POLICY_INVALID',
              severity,
              message: `policy ${name} validations[${v.index}] evaluated to ${celTypeName(result)}, not bool`,
            }),
          );
        }
      }
    }
  }
  return out;
}

/** Compiles and evaluates every Policy among `inputs` against all of them. */
export function checkPolicies(inputs: readonly ValidationInput[], options: ValidateOptions = {}): Diagnostic[] {
  const { policies, diagnostics } = compilePolicies(inputs, options);
  return [...diagnostics, ...evaluatePolicies(policies, inputs, options)];
}
