import type { Diagnostic } from '../../errors/index.ts';
import { ResourceIndex } from '../context.ts';
import { loadResources } from '../testing.ts';
import type { ValidateOptions, ValidationInput } from '../types.ts';

/** Indexes resources loaded separately (e.g. from two environments). */
export function indexFor(inputs: readonly ValidationInput[], options: ValidateOptions = {}): ResourceIndex {
  return new ResourceIndex(inputs, options);
}

/**
 * 1-based line and column of the n-th occurrence (0-based) of `needle` in `text`: tests state
 * where a finding must point by quoting the text there, and stay exact.
 */
export function pos(text: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`needle not found: ${needle}`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

/** Loads YAML documents as resources of one file and indexes them, for rule tests. */
export function setup(text: string, opts: { file?: string; environment?: string; options?: ValidateOptions } = {}): { inputs: ValidationInput[]; index: ResourceIndex } {
  const inputs = loadResources(text, { file: opts.file ?? 'test.yaml', ...(opts.environment ? { environment: opts.environment } : {}) });
  return { inputs, index: new ResourceIndex(inputs, opts.options ?? {}) };
}

/** The fields tests assert on, without message wording. */
export function brief(ds: readonly Diagnostic[]): { code: string; line?: number; column?: number; path?: string }[] {
  return ds.map((d) => ({ code: d.code, ...(d.line === undefined ? {} : { line: d.line }), ...(d.column === undefined ? {} : { column: d.column }), ...(d.path ? { path: d.path } : {}) }));
}

export const MODEL = (name: string, extra = ''): string => `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: ${name}
spec:
  model:
    framework: vllm
${extra}`;
