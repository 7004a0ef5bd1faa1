import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, ROUTES } from '../../src/server/index.ts';

type Json = Record<string, unknown>;

/**
 * The essential structure of the OpenAPI 3.1 schema (spec.openapis.org/oas/3.1/schema/2022-10-07),
 * written out for the parts our document uses: required fields, path keys, operations, parameters,
 * request bodies, responses, components and security schemes. Unknown `x-` extensions are allowed
 * where the specification allows them and nothing else.
 */
const OPENAPI_31 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $defs: {
    extensible: { type: 'object', patternProperties: { '^x-': true } },
    reference: { type: 'object', required: ['$ref'], properties: { $ref: { type: 'string', format: 'uri-reference' }, summary: { type: 'string' }, description: { type: 'string' } } },
    schemaOrBool: { type: ['object', 'boolean'] },
    mediaType: {
      type: 'object',
      properties: { schema: { $ref: '#/$defs/schemaOrBool' }, example: true, examples: { type: 'object' }, encoding: { type: 'object' } },
      unevaluatedProperties: false,
      $ref: '#/$defs/extensible',
    },
    content: { type: 'object', additionalProperties: { $ref: '#/$defs/mediaType' }, propertyNames: { pattern: '^[a-z]+/[a-z0-9.+*-]+$' } },
    parameter: {
      type: 'object',
      required: ['name', 'in'],
      properties: {
        name: { type: 'string', minLength: 1 },
        in: { enum: ['query', 'header', 'path', 'cookie'] },
        description: { type: 'string' },
        required: { type: 'boolean' },
        deprecated: { type: 'boolean' },
        allowEmptyValue: { type: 'boolean' },
        schema: { $ref: '#/$defs/schemaOrBool' },
        content: { $ref: '#/$defs/content' },
        style: { enum: ['matrix', 'label', 'form', 'simple', 'spaceDelimited', 'pipeDelimited', 'deepObject'] },
        explode: { type: 'boolean' },
        example: true,
      },
      oneOf: [{ required: ['schema'] }, { required: ['content'] }],
      if: { properties: { in: { const: 'path' } } },
      then: { required: ['required'], properties: { required: { const: true } } },
      unevaluatedProperties: false,
      $ref: '#/$defs/extensible',
    },
    response: {
      type: 'object',
      required: ['description'],
      properties: { description: { type: 'string' }, headers: { type: 'object' }, content: { $ref: '#/$defs/content' }, links: { type: 'object' } },
      unevaluatedProperties: false,
      $ref: '#/$defs/extensible',
    },
    responses: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^([1-5](?:[0-9]{2}|XX)|default|x-.*)$' },
      additionalProperties: { oneOf: [{ $ref: '#/$defs/response' }, { $ref: '#/$defs/reference' }] },
    },
    requestBody: {
      type: 'object',
      required: ['content'],
      properties: { description: { type: 'string' }, content: { $ref: '#/$defs/content' }, required: { type: 'boolean' } },
      unevaluatedProperties: false,
      $ref: '#/$defs/extensible',
    },
    securityRequirement: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    operation: {
      type: 'object',
      required: ['responses'],
      properties: {
        tags: { type: 'array', items: { type: 'string' } },
        summary: { type: 'string' },
        description: { type: 'string' },
        operationId: { type: 'string' },
        parameters: { type: 'array', items: { oneOf: [{ $ref: '#/$defs/parameter' }, { $ref: '#/$defs/reference' }] } },
        requestBody: { oneOf: [{ $ref: '#/$defs/requestBody' }, { $ref: '#/$defs/reference' }] },
        responses: { $ref: '#/$defs/responses' },
        deprecated: { type: 'boolean' },
        security: { type: 'array', items: { $ref: '#/$defs/securityRequirement' } },
        servers: { type: 'array' },
      },
      unevaluatedProperties: false,
      $ref: '#/$defs/extensible',
    },
    pathItem: {
      type: 'object',
      properties: {
        summary: { type: 'string' },
        description: { type: 'string' },
        get: { $ref: '#/$defs/operation' },
        put: { $ref: '#/$defs/operation' },
        post: { $ref: '#/$defs/operation' },
        delete: { $ref: '#/$defs/operation' },
        options: { $ref: '#/$defs/operation' },
        head: { $ref: '#/$defs/operation' },
        patch: { $ref: '#/$defs/operation' },
        trace: { $ref: '#/$defs/operation' },
        parameters: { type: 'array' },
      },
      unevaluatedProperties: false,
      $ref: '#/$defs/extensible',
    },
  },
  type: 'object',
  required: ['openapi', 'info'],
  anyOf: [{ required: ['paths'] }, { required: ['components'] }, { required: ['webhooks'] }],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+(-.+)?$' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, summary: { type: 'string' }, description: { type: 'string' }, version: { type: 'string' } },
      unevaluatedProperties: false,
      $ref: '#/$defs/extensible',
    },
    jsonSchemaDialect: { type: 'string', format: 'uri' },
    servers: { type: 'array', items: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } } },
    paths: {
      type: 'object',
      patternProperties: { '^/': { $ref: '#/$defs/pathItem' } },
      additionalProperties: false,
    },
    components: {
      type: 'object',
      properties: {
        schemas: { type: 'object', additionalProperties: { $ref: '#/$defs/schemaOrBool' }, propertyNames: { pattern: '^[a-zA-Z0-9._-]+$' } },
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['type'],
            properties: { type: { enum: ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] } },
            if: { properties: { type: { const: 'http' } } },
            then: { required: ['scheme'] },
          },
        },
      },
      unevaluatedProperties: false,
      $ref: '#/$defs/extensible',
    },
    security: { type: 'array', items: { $ref: '#/$defs/securityRequirement' } },
    tags: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
    webhooks: { type: 'object' },
    externalDocs: { type: 'object' },
  },
  unevaluatedProperties: false,
  $ref: '#/$defs/extensible',
};

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) collectRefs(n, out);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument(ROUTES);
  const paths = doc.paths as Record<string, Record<string, Json>>;

  it('validates against the OpenAPI 3.1 structure', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(OPENAPI_31);
    const ok = validate(doc);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the structural check rejects a broken document (it is not vacuous)', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(OPENAPI_31);
    const broken = structuredClone(doc);
    const op = (broken.paths as Record<string, Record<string, Json>>)['/api/v1/models']?.get;
    delete op?.responses;
    expect(validate(broken)).toBe(false);
    expect(validate({ ...doc, openapi: '3.0.3' })).toBe(false);
    expect(validate({ ...doc, paths: { 'models': {} } })).toBe(false);
  });

  it('lists every route of the table, with unique operationIds and declared path parameters', () => {
    const ids = new Set<string>();
    for (const r of ROUTES) {
      const op = paths[`/api/v1${r.path}`]?.[r.method];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(ids.has(r.operationId), r.operationId).toBe(false);
      ids.add(r.operationId);
      const declared = ((op?.parameters ?? []) as Json[]).filter((p) => p.in === 'path').map((p) => p.name);
      const inTemplate = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect(declared.sort(), r.path).toEqual(inTemplate.sort());
    }
    for (const p of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json']) expect(paths[p]).toBeDefined();
  });

  it('every operation has responses, each with a description', () => {
    for (const [path, item] of Object.entries(paths)) {
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        const responses = op.responses as Record<string, Json>;
        expect(Object.keys(responses).length, `${m} ${path}`).toBeGreaterThan(0);
        for (const r of Object.values(responses)) expect(typeof r.description).toBe('string');
      }
    }
  });

  it('every $ref resolves inside the document', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(20);
    const unresolved = [...new Set(refs)].filter((r) => resolvePointer(doc, r) === undefined);
    expect(unresolved).toEqual([]);
  });

  it('every schema compiles with Ajv (JSON Schema 2020-12)', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    // The document is registered once so `#/components/schemas/...` references resolve.
    ajv.addSchema({ $id: 'https://ployd.ai/openapi.json', components: doc.components }, 'openapi');
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    expect(Object.keys(schemas).length).toBeGreaterThan(20);
    for (const name of Object.keys(schemas)) {
      expect(() => ajv.compile({ $ref: `https://ployd.ai/openapi.json#/components/schemas/${name}` }), name).not.toThrow();
    }
  });

  it('the request schemas accept what the API accepts and reject unknown kinds', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'https://ployd.ai/openapi.json', components: doc.components }, 'openapi');
    const body = (paths['/api/v1/registry/models']?.post?.requestBody as { content: { 'application/json': { schema: { $ref: string } } } }).content[
      'application/json'
    ].schema.$ref;
    const validate = ajv.compile({ $ref: `https://ployd.ai/openapi.json${body}` });
    expect(validate({ name: 'llama-7b-chat', version: 'v2.1', path: 's3://m/llama', framework: 'vllm', metadata: { accuracy: 0.92 } })).toBe(true);
    expect(validate({ name: 'llama-7b-chat', version: 'v2.1' })).toBe(false);
  });
});
