// Validates rendered Kubernetes objects against official schemas, for tests:
// - core kinds with kubernetes-models (validators compiled from Kubernetes' OpenAPI spec);
// - KEDA ScaledObject with @kubernetes-models/keda (compiled from KEDA's CRD);
// - LeaderWorkerSet and ServiceMonitor with ajv and schemas derived from their CRDs
//   (test/fixtures/k8s-api/schemas, provenance in each file's $comment);
// - and, since the OpenAPI schemas allow unknown fields, a strict walk against the typed models of
//   @kubernetes/client-node: its serializer silently DROPS fields it does not know when it sends an
//   object, so an unknown field would never reach the API server.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import * as k8s from '@kubernetes/client-node';
import { ConfigMap, PodTemplateSpec, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';

type Json = Record<string, unknown>;
interface Validatable {
  validate(): void;
}

const FIXTURES = new URL('../../fixtures/k8s-api/schemas/', import.meta.url);
const ajv = new Ajv({ allErrors: true, strict: true });
const lwsSchema = ajv.compile(JSON.parse(readFileSync(new URL('leaderworkerset-v1.schema.json', FIXTURES), 'utf8')) as object);
const smSchema = ajv.compile(JSON.parse(readFileSync(new URL('servicemonitor-v1.schema.json', FIXTURES), 'utf8')) as object);

function modelErrors(make: () => Validatable): string[] {
  try {
    make().validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

function ajvErrors(v: ValidateFunction, obj: unknown): string[] {
  return v(obj) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
}
type TypeMap = Record<string, { getAttributeTypeMap?(): AttributeType[] } | undefined>;
// Every generated model class (V1Deployment, ...) is exported with the attribute map the serializer uses.
const MODELS = k8s as unknown as TypeMap;

/** Fields the typed client model does not know (or knows under another name): they would be dropped on send. */
export function unknownFields(value: unknown, type: string, path = ''): string[] {
  if (value === undefined || value === null) return [];
  if (type.startsWith('Array<')) {
    const sub = type.slice(6, -1);
    return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, sub, `${path}[${i}]`)) : [`${path}: expected array`];
  }
  if (type.startsWith('{ [key: string]: ')) {
    const sub = type.slice('{ [key: string]: '.length, -'; }'.length);
    return Object.entries(value as Json).flatMap(([k, v]) => unknownFields(v, sub, `${path}.${k}`));
  }
  const model = MODELS[type];
  if (!model?.getAttributeTypeMap) return [];
  const attrs = model.getAttributeTypeMap();
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Json)) {
    const a = attrs.find((x) => x.baseName === k);
    if (!a) out.push(`${path}.${k}: unknown field of ${type}`);
    else if (a.name !== a.baseName) out.push(`${path}.${k}: serialised from .${a.name}, would be lost`);
    else out.push(...unknownFields(v, a.type, `${path}.${k}`));
  }
  return out;
}

const TYPED: Record<string, string> = {
  'v1/Service': 'V1Service',
  'v1/ConfigMap': 'V1ConfigMap',
  'apps/v1/Deployment': 'V1Deployment',
  'autoscaling/v2/HorizontalPodAutoscaler': 'V2HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'V1PodDisruptionBudget',
};

// Kubernetes' own syntax rules for names and labels (apimachinery validation), which the OpenAPI
// schemas do not express: the API server would reject these with 422.
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelErrors(labels: unknown, where: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries((labels ?? {}) as Record<string, string>)) {
    const [prefix, name] = k.includes('/') ? [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)] : [undefined, k];
    if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) out.push(`${where} label key prefix ${k}`);
    if (name.length > 63 || !LABEL_NAME.test(name)) out.push(`${where} label key ${k}`);
    if (v.length > 63 || !LABEL_VALUE.test(v)) out.push(`${where} label ${k}=${v}`);
  }
  return out;
}

function templates(obj: Json): [string, Json][] {
  const spec = (obj.spec ?? {}) as Json;
  const lwt = (spec.leaderWorkerTemplate ?? {}) as Json;
  return [
    ['template', spec.template as Json],
    ['leaderTemplate', lwt.leaderTemplate as Json],
    ['workerTemplate', lwt.workerTemplate as Json],
  ].filter((e): e is [string, Json] => e[1] !== undefined);
}

/** Name and label syntax of an object and its pod templates. */
export function metadataErrors(obj: Json): string[] {
  const meta = (obj.metadata ?? {}) as Json;
  const name = String(meta.name);
  const out: string[] = [];
  if (name.length > 63 || !DNS1035.test(name)) out.push(`metadata.name ${name} is not an RFC 1035 label`);
  out.push(...labelErrors(meta.labels, 'metadata'));
  for (const [role, t] of templates(obj)) out.push(...labelErrors((t.metadata as Json | undefined)?.labels, role));
  return out;
}

/** All schema findings for one object; empty when valid. */
export function schemaErrors(obj: Json): string[] {
  return [...metadataErrors(obj), ...apiSchemaErrors(obj)];
}

function apiSchemaErrors(obj: Json): string[] {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const typed = TYPED[key];
  const strict = typed ? unknownFields(obj, typed) : [];
  switch (key) {
    case 'v1/Service':
      return [...modelErrors(() => new Service(obj)), ...strict];
    case 'v1/ConfigMap':
      return [...modelErrors(() => new ConfigMap(obj)), ...strict];
    case 'apps/v1/Deployment':
      return [...modelErrors(() => new Deployment(obj)), ...strict];
    case 'autoscaling/v2/HorizontalPodAutoscaler':
      return [...modelErrors(() => new HorizontalPodAutoscaler(obj)), ...strict];
    case 'policy/v1/PodDisruptionBudget':
      return [...modelErrors(() => new PodDisruptionBudget(obj)), ...strict];
    case 'keda.sh/v1alpha1/ScaledObject':
      return modelErrors(() => new ScaledObject(obj as never));
    case 'monitoring.coreos.com/v1/ServiceMonitor':
      return ajvErrors(smSchema, obj);
    case 'leaderworkerset.x-k8s.io/v1/LeaderWorkerSet': {
      const errors = ajvErrors(lwsSchema, obj);
      const lwt = ((obj.spec as Json | undefined)?.leaderWorkerTemplate ?? {}) as Json;
      for (const role of ['leaderTemplate', 'workerTemplate']) {
        const t = lwt[role];
        if (t === undefined) continue;
        errors.push(...modelErrors(() => new PodTemplateSpec(t as never)).map((e) => `${role}: ${e}`));
        errors.push(...unknownFields(t, 'V1PodTemplateSpec', `.spec.leaderWorkerTemplate.${role}`));
      }
      return errors;
    }
    default:
      return [`no schema for ${key}`];
  }
}
