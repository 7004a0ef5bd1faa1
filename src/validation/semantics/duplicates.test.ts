import { describe, expect, it } from 'vitest';
import { checkDuplicates } from './duplicates.ts';
import { brief, MODEL, pos, setup } from './test-helpers.ts';

describe('duplicate names', () => {
  it('reports the second occurrence and names the first one’s file:line', () => {
    const a = setup(MODEL('llama'), { file: 'a.yaml' }).inputs;
    const text = `${MODEL('other')}---\n${MODEL('llama')}`;
    const b = setup(text, { file: 'b.yaml' }).inputs;
    const ds = checkDuplicates([...a, ...b], {});
    expect(brief(ds)).toEqual([{ code: 'E_DUPLICATE_NAME', ...pos(text, 'name: llama'), path: 'metadata.name' }]);
    expect(ds[0]).toMatchObject({ file: 'b.yaml', message: 'ModelDeployment llama is already defined at a.yaml:4' });
  });

  it('treats an LLMDeployment as the ModelDeployment it becomes', () => {
    const llmd = `apiVersion: inference.llm-d.io/v1alpha1
kind: LLMDeployment
metadata:
  name: llama
spec:
  model: { name: llama, source: { modelUri: s3://m } }
`;
    const ds = checkDuplicates([...setup(MODEL('llama'), { file: 'a.yaml' }).inputs, ...setup(llmd, { file: 'b.yaml' }).inputs], {});
    expect(ds.map((d) => d.code)).toEqual(['E_DUPLICATE_NAME']);
  });

  it('allows the same name in other namespaces, other kinds and other environments', () => {
    const ns = `${MODEL('llama')}---\n${MODEL('llama').replace('  name: llama', '  name: llama\n  namespace: prod')}`;
    expect(checkDuplicates(setup(ns).inputs, {})).toEqual([]);
    const kinds = `${MODEL('llama')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: llama\n`;
    expect(checkDuplicates(setup(kinds).inputs, {})).toEqual([]);
    const envs = [...setup(MODEL('llama'), { environment: 'dev' }).inputs, ...setup(MODEL('llama'), { environment: 'prod' }).inputs];
    expect(checkDuplicates(envs, {})).toEqual([]);
  });
});
