import { z } from 'zod';
import { ErrorBodySchema } from './error-body.ts';
import type { AnyRoute } from './route-table.ts';

type Json = Record<string, unknown>;

const API_PREFIX = '/api/v1';
const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * Turns one standalone JSON Schema into components: its `$defs` become components of their own
 * (prefixed with the schema's name) and every reference is rewritten to point there, so each
 * `$ref` resolves inside the OpenAPI document rather than inside a schema that no longer exists
 * on its own.
 */
function componentize(name: string, schema: Json, components: Map<string, Json>): void {
  const defs = (schema.$defs ?? {}) as Record<string, Json>;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === '$schema' || k === '$id' || k === '$defs') continue;
      if (k === '$ref' && typeof v === 'string') {
        out.$ref = v === '#' ? `${COMPONENT_PREFIX}${name}` : v.replace(/^#\/\$defs\//, `${COMPONENT_PREFIX}${name}__`);
      } else out[k] = rewrite(v);
    }
    return out;
  };
  for (const [defName, def] of Object.entries(defs)) components.set(`${name}__${defName}`, rewrite(def) as Json);
  components.set(name, rewrite(schema) as Json);
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Parameters of an object schema, one per property (path or query). */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input');
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    // Repeatable query parameters (`label=a=b&label=c=d`) are arrays in the schema.
    const isArray = Array.isArray(rest.anyOf) && (rest.anyOf as Json[]).some((a) => a.type === 'array');
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
      ...(isArray ? { explode: true, style: 'form' } : {}),
    };
  });
}

/**
 * The OpenAPI 3.1 document of the control-plane API, generated from the route table and the same
 * zod schemas that validate requests, so it lists every endpoint and cannot drift from them.
 */
export function buildOpenApiDocument(routes: readonly AnyRoute[], info: { version?: string } = {}): Json {
  const components = new Map<string, Json>();
  componentize('Error', jsonSchema(ErrorBodySchema, 'output'), components);
  const named = { input: new Map<z.ZodType, string>(), output: new Map<z.ZodType, string>() };
  const ref = (schema: z.ZodType, name: string, io: 'input' | 'output'): Json => {
    const known = named[io].get(schema);
    if (known !== undefined && components.has(known)) return { $ref: `${COMPONENT_PREFIX}${known}` };
    let unique = name;
    for (let i = 2; components.has(unique); i++) unique = `${name}${i}`;
    componentize(unique, jsonSchema(schema, io), components);
    named[io].set(schema, unique);
    return { $ref: `${COMPONENT_PREFIX}${unique}` };
  };
  const errorResponse = (description: string): Json => ({
    description,
    content: { 'application/json': { schema: { $ref: `${COMPONENT_PREFIX}Error` } } },
  });

  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = `${API_PREFIX}${r.path}`;
    const responses: Record<string, Json> = {};
    const success = r.response.schema
      ? { description: 'OK', content: { 'application/json': { schema: ref(r.response.schema, r.response.name ?? `${pascal(r.operationId)}Response`, 'output') } } }
      : { description: 'No content' };
    responses[String(r.response.status)] = success;
    if (r.response.mayCreate) responses['201'] = { ...success, description: 'Created' };
    responses['400'] = errorResponse('E_VALIDATION: invalid parameters or body, with field paths in `issues`');
    responses['401'] = errorResponse('E_UNAUTHENTICATED: missing or invalid bearer token');
    responses['403'] = errorResponse('E_FORBIDDEN: the token lacks the permission named in the message');
    if (r.path.includes('{')) responses['404'] = errorResponse('E_NOT_FOUND');
    if (r.method !== 'get') responses['409'] = errorResponse('E_CONFLICT (stale resourceVersion) or E_ALREADY_EXISTS');
    if (r.body) {
      responses['413'] = errorResponse('E_BODY_TOO_LARGE');
      responses['415'] = errorResponse('E_UNSUPPORTED_MEDIA_TYPE');
    }
    const params = [...parameters(r.params, 'path'), ...parameters(r.query, 'query')];
    if (r.conditional) {
      params.push({
        name: 'If-Match',
        in: 'header',
        required: false,
        description: 'The ETag (resourceVersion) last read; a stale one answers 409 E_CONFLICT',
        schema: { type: 'string' },
      });
    }
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      'x-ployd-permission': r.rbac,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: r.bodyRequired !== false,
              content: { 'application/json': { schema: ref(r.body, `${pascal(r.operationId)}Request`, 'input') } },
            },
          }
        : {}),
      responses,
    };
    (paths[path] ??= {})[r.method] = op;
  }

  paths['/healthz'] = {
    get: { operationId: 'healthz', summary: 'Liveness: the process answers', tags: ['Operations'], security: [], responses: { '200': { description: 'OK' } } },
  };
  paths['/readyz'] = {
    get: {
      operationId: 'readyz',
      summary: 'Readiness: the store answers',
      tags: ['Operations'],
      security: [],
      responses: { '200': { description: 'Ready' }, '503': { description: 'The store does not answer' } },
    },
  };
  paths['/metrics'] = {
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics of the server (permission metrics, get, server)',
      tags: ['Operations'],
      responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': errorResponse('E_UNAUTHENTICATED') },
    },
  };
  paths[`${API_PREFIX}/openapi.json`] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      tags: ['Operations'],
      responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, '401': errorResponse('E_UNAUTHENTICATED') },
    },
  };

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'PloyD control-plane API',
      version: info.version ?? '0.1.0',
      description: 'ModelServing, AIGateway, ModelRegistry, Security, Monitoring and the audit log over HTTP. See docs/api.md.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: ['ModelServing', 'AIGateway', 'ModelRegistry', 'Security', 'Monitoring', 'Audit', 'Operations'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A control-API token (`ployd server` prints the first admin token once)' } },
      schemas: Object.fromEntries([...components.entries()].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
