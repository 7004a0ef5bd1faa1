import type { Diagnostic } from '../../errors/index.ts';
import { envOf } from '../context.ts';
import { finding, where } from '../locate.ts';
import type { ValidateOptions, ValidationInput } from '../types.ts';

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Two resources with the same kind, namespace and name in one environment: the second one (in
 * input order, which is the loader's file order) is reported and the first one is named.
 * Converted kinds count as what they become: an LLMDeployment and a ModelDeployment of one name clash.
 */
export function checkDuplicates(inputs: readonly ValidationInput[], options: ValidateOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, ValidationInput>();
  for (const input of inputs) {
    const r = input.parsed.resource;
    const key = `${envOf(input, options)}\0${groupOf(r.apiVersion)}\0${r.kind}\0${r.metadata.namespace ?? ''}\0${r.metadata.name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, input);
      continue;
    }
    const ns = r.metadata.namespace ? `${r.metadata.namespace}/` : '';
    out.push(
      finding(input, ['metadata', 'name'], {
        code: 'E_DUPLICATE_NAME',
        message: `${r.kind} ${ns}${r.metadata.name} is already defined at ${where(first, ['metadata', 'name'])}`,
        suggestion: 'rename one of them or remove the copy',
      }),
    );
  }
  return out;
}
