import type { PloydResource } from '../resources/index.ts';
import { isKind, suggest } from '../resources/index.ts';
import type { ValidateOptions, ValidationInput } from './types.ts';

type Kind = PloydResource['kind'];

/** The environment a resource belongs to: its own, else the run's, else none (`''`). */
export function envOf(input: ValidationInput, options: ValidateOptions): string {
  return input.environment ?? options.environment ?? '';
}

/**
 * Name lookups scoped by environment. A resource of environment E sees the resources of E and the
 * environment-independent ones; an environment-independent resource sees all of them (it is
 * shared, so a name that exists in any environment is not a mistake).
 */
export class ResourceIndex {
  private readonly byKind = new Map<string, Map<string, Map<string, ValidationInput[]>>>();

  constructor(
    readonly resources: readonly ValidationInput[],
    private readonly options: ValidateOptions,
  ) {
    for (const r of resources) {
      const res = r.parsed.resource;
      if (r.parsed.passthrough || res.apiVersion !== 'ployd.ai/v1') continue;
      let envs = this.byKind.get(res.kind);
      if (!envs) this.byKind.set(res.kind, (envs = new Map<string, Map<string, ValidationInput[]>>()));
      const env = envOf(r, options);
      let names = envs.get(env);
      if (!names) envs.set(env, (names = new Map<string, ValidationInput[]>()));
      const list = names.get(res.metadata.name);
      if (list) list.push(r);
      else names.set(res.metadata.name, [r]);
    }
  }

  env(input: ValidationInput): string {
    return envOf(input, this.options);
  }

  /** Resources of `kind` named `name` visible from `from`'s environment. */
  find<K extends Kind>(kind: K, name: string, from: ValidationInput): Extract<PloydResource, { kind: K }>[] {
    const envs = this.byKind.get(kind);
    if (!envs) return [];
    const env = this.env(from);
    const lists = env === '' ? [...envs.values()].map((m) => m.get(name)) : [envs.get(env)?.get(name), envs.get('')?.get(name)];
    const out: Extract<PloydResource, { kind: K }>[] = [];
    for (const list of lists) for (const r of list ?? []) if (isKind(r.parsed.resource, kind)) out.push(r.parsed.resource);
    return out;
  }

  exists(kind: Kind, name: string, from: ValidationInput): boolean {
    return this.find(kind, name, from).length > 0;
  }

  /** Names of `kind` visible from `from`, for did-you-mean suggestions. */
  names(kind: Kind, from: ValidationInput): string[] {
    const envs = this.byKind.get(kind);
    if (!envs) return [];
    const env = this.env(from);
    const maps = env === '' ? [...envs.values()] : [envs.get(env), envs.get('')];
    const out = new Set<string>();
    for (const m of maps) for (const n of m?.keys() ?? []) out.add(n);
    return [...out];
  }

  /** Every resource of `kind` visible from `from` (for the rare error paths that need more than names). */
  all<K extends Kind>(kind: K, from: ValidationInput): Extract<PloydResource, { kind: K }>[] {
    return this.names(kind, from).flatMap((n) => this.find(kind, n, from));
  }

  /** Whether any resource of `kind` is declared at all (in any environment). */
  declares(kind: Kind): boolean {
    return (this.byKind.get(kind)?.size ?? 0) > 0;
  }

  /** `did you mean X?` among the visible names of `kind`, if one is close. */
  didYouMean(kind: Kind, name: string, from: ValidationInput): string | undefined {
    const s = suggest(name, this.names(kind, from));
    return s === undefined ? undefined : `did you mean ${s}?`;
  }
}

/** The inputs of one ployd kind, typed. */
export function ofKind<K extends Kind>(
  inputs: readonly ValidationInput[],
  kind: K,
): { input: ValidationInput; resource: Extract<PloydResource, { kind: K }> }[] {
  const out: { input: ValidationInput; resource: Extract<PloydResource, { kind: K }> }[] = [];
  for (const input of inputs) {
    const r = input.parsed.resource;
    if (!input.parsed.passthrough && isKind(r, kind)) out.push({ input, resource: r });
  }
  return out;
}
