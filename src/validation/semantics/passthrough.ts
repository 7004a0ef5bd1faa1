import type { Diagnostic } from '../../errors/index.ts';
import { finding } from '../locate.ts';
import type { ValidationInput } from '../types.ts';

/** Plain Kubernetes kinds are handed to the Kubernetes target untouched: say so, once per resource. */
export function checkPassthrough(inputs: readonly ValidationInput[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const input of inputs) {
    if (!input.parsed.passthrough) continue;
    const kind = input.parsed.resource.kind;
    out.push(
      finding(input, ['kind'], {
        code: 'W_PASSTHROUGH',
        severity: 'info',
        message: `the local runtime cannot act on ${kind}; it is passed to the Kubernetes target`,
      }),
    );
  }
  return out;
}
