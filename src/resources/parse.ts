import type { z } from 'zod';
import type { ErrorCode, Severity } from '../errors/index.ts';
import type { Application } from './kinds/application.ts';
import type { CanaryDeployment } from './kinds/canary-deployment.ts';
import type { Environment } from './kinds/environment.ts';
import type { GatewayRoute } from './kinds/gateway-route.ts';
import type { ModelDeployment } from './kinds/model-deployment.ts';
import type { ModelRollout } from './kinds/model-rollout.ts';
import type { Policy } from './kinds/policy.ts';
import type { Project } from './kinds/project.ts';
import { PassthroughResource, isPassthroughKind, PASSTHROUGH_KINDS } from './kinds/passthrough.ts';
import { findKind, KINDS, type KindEntry } from './registry.ts';
import { findUnknownFields, suggest } from './unknown-fields.ts';

type Json = Record<string, unknown>;

export type PloydResource = ModelDeployment | GatewayRoute | CanaryDeployment | ModelRollout | Application | Project | Environment | Policy;
export type AnyResource = PloydResource | PassthroughResource;

/** A finding about one resource, located by field path inside the resource as written. */
export interface ResourceIssue {
  readonly severity: Severity;
  readonly code: ErrorCode;
  readonly message: string;
  readonly path: readonly (string | number)[];
  readonly suggestion?: string;
}

export interface ParsedResource {
  /** Typed, defaulted and normalised (quantities as numbers). */
  readonly resource: AnyResource;
  /** The manifest as written, after conversion to a ployd kind (what `ployd render` prints). */
  readonly manifest: Json;
  /** The manifest before conversion, for foreign kinds. */
  readonly original?: Json;
  readonly passthrough: boolean;
}

export interface ParseResult {
  readonly parsed?: ParsedResource;
  readonly issues: readonly ResourceIssue[];
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function issuesFromZod(error: z.ZodError): ResourceIssue[] {
  return error.issues.map((i) => {
    const custom = i.code === 'custom' ? (i.params as { ployd?: ErrorCode } | undefined)?.ployd : undefined;
    const missing = i.code === 'invalid_type' && i.message.includes('received undefined');
    const code: ErrorCode = custom ?? (missing ? 'E_MISSING_FIELD' : 'E_SCHEMA');
    return { severity: 'error' as const, code, message: missing ? 'required field is missing' : i.message, path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) };
  });
}

function unknownKindIssue(apiVersion: string, kind: string): ResourceIssue {
  const all = [...KINDS.map((k) => `${k.apiVersion} ${k.kind}`), ...Object.entries(PASSTHROUGH_KINDS).flatMap(([a, ks]) => ks.map((k) => `${a} ${k}`))];
  const kinds = [...new Set(all.map((s) => s.split(' ')[1] ?? ''))];
  const sameKind = all.filter((s) => s.endsWith(` ${kind}`)).map((s) => s.split(' ')[0]);
  if (sameKind.length > 0) {
    return { severity: 'error', code: 'E_UNKNOWN_KIND', message: `unknown apiVersion ${apiVersion} for kind ${kind}`, path: ['apiVersion'], suggestion: `use apiVersion ${sameKind.join(' or ')}` };
  }
  const s = suggest(kind, kinds);
  return {
    severity: 'error',
    code: 'E_UNKNOWN_KIND',
    message: `unknown kind ${apiVersion}/${kind}`,
    path: ['kind'],
    ...(s ? { suggestion: `did you mean ${s}?` } : {}),
  };
}

function parseWith(entry: KindEntry, raw: Json): { value?: unknown; issues: ResourceIssue[] } {
  const r = entry.schema.safeParse(raw);
  const unknown: ResourceIssue[] = findUnknownFields(entry.schema, raw).map((u) => ({
    severity: 'warning',
    code: 'W_UNKNOWN_FIELD',
    message: `unknown field ${u.field}`,
    path: u.path,
    ...(u.suggestion ? { suggestion: `did you mean ${u.suggestion}?` } : {}),
  }));
  return r.success ? { value: r.data, issues: unknown } : { issues: [...issuesFromZod(r.error), ...unknown] };
}

/**
 * Parses one manifest object into a typed resource: checks apiVersion/kind, the schema (errors),
 * unknown fields (warnings with suggestions), and converts foreign kinds (llm-d, Argo CD) to
 * their ployd.ai/v1 equivalent. Never throws.
 *
 * @example
 * const { parsed, issues } = parseResource(yaml.parse(text));
 */
export function parseResource(raw: unknown): ParseResult {
  if (!isObject(raw)) return { issues: [{ severity: 'error', code: 'E_NOT_AN_OBJECT', message: 'a resource must be a mapping', path: [] }] };
  const apiVersion = raw.apiVersion;
  const kind = raw.kind;
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    return { issues: [{ severity: 'error', code: 'E_MISSING_FIELD', message: 'apiVersion is required', path: ['apiVersion'] }] };
  }
  if (typeof kind !== 'string' || kind === '') {
    return { issues: [{ severity: 'error', code: 'E_MISSING_FIELD', message: 'kind is required', path: ['kind'] }] };
  }
  const entry = findKind(apiVersion, kind);
  if (!entry) {
    if (!isPassthroughKind(apiVersion, kind)) return { issues: [unknownKindIssue(apiVersion, kind)] };
    const r = PassthroughResource.safeParse(raw);
    if (!r.success) return { issues: issuesFromZod(r.error) };
    return { parsed: { resource: r.data, manifest: raw, passthrough: true }, issues: [] };
  }
  const first = parseWith(entry, raw);
  if (first.value === undefined) return { issues: first.issues };
  if (!entry.convert) {
    return { parsed: { resource: first.value as PloydResource, manifest: raw, passthrough: false }, issues: first.issues };
  }
  const manifest = entry.convert(first.value as never);
  const target = findKind(String(manifest.apiVersion), String(manifest.kind));
  const second = target ? target.schema.safeParse(manifest) : undefined;
  if (!second?.success) {
    const detail = second ? issuesFromZod(second.error).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : 'no target kind';
    return { issues: [...first.issues, { severity: 'error', code: 'E_CONVERSION', message: `cannot convert ${kind} to ${String(manifest.kind)}: ${detail}`, path: [] }] };
  }
  return { parsed: { resource: second.data as PloydResource, manifest, original: raw, passthrough: false }, issues: first.issues };
}

/** `Kind/namespace/name` (namespace `-` when unset): how resources are named in findings and diffs. */
export function resourceId(r: { kind: string; metadata: { name: string; namespace?: string | undefined } }): string {
  return `${r.kind}/${r.metadata.namespace ?? '-'}/${r.metadata.name}`;
}

/** Narrows a resource to one ployd kind. */
export function isKind<K extends PloydResource['kind']>(r: AnyResource, kind: K): r is Extract<PloydResource, { kind: K }> {
  return r.kind === kind && r.apiVersion === 'ployd.ai/v1';
}
