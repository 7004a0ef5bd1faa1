import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { allJsonSchemas } from './json-schema.ts';

const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

describe('JSON Schemas', () => {
  it('the committed schemas/ folder is in step with the code (run `ployd schema --write schemas`)', () => {
    const generated = allJsonSchemas();
    const committed = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [file, schema] of generated) {
      expect(JSON.parse(readFileSync(SCHEMAS_DIR + file, 'utf8')), file).toEqual(schema);
    }
  });

  it('every schema compiles and accepts a minimal valid resource of its kind', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    const schemas = allJsonSchemas();
    const md = schemas.get('ployd.ai_v1_ModelDeployment.json');
    expect(md).toBeDefined();
    const validate = ajv.compile(md ?? {});
    expect(validate({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'm' }, spec: { model: { framework: 'vllm' } } })).toBe(true);
    expect(validate({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'm' }, spec: { model: { framework: 'nope' } } })).toBe(false);
    for (const [file, schema] of schemas) expect(() => ajv.compile(schema), file).not.toThrow();
  });
});
