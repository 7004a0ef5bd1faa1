import type { Diagnostic } from '../../errors/index.ts';
import { ofKind, type ResourceIndex } from '../context.ts';
import { finding } from '../locate.ts';
import type { ValidationInput } from '../types.ts';
import { valueAt } from '../written-path.ts';

/**
 * CanaryDeployment: stable and canary name ModelDeployments, `route` names a GatewayRoute, and
 * the traffic plan stays under maxWeight (canaryWeight, stepWeight, explicit steps).
 */
export function checkCanaries(inputs: readonly ValidationInput[], index: ResourceIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { input, resource } of ofKind(inputs, 'CanaryDeployment')) {
    const s = resource.spec;
    for (const side of ['stable', 'canary'] as const) {
      const model = s[side].model;
      if (!index.exists('ModelDeployment', model, input)) {
        out.push(
          finding(input, ['spec', side, 'model'], {
            code: 'E_REF_NOT_FOUND',
            message: `${side} model ${model} names no ModelDeployment${index.env(input) ? ' in this environment' : ''}`,
            suggestion: index.didYouMean('ModelDeployment', model, input),
          }),
        );
      }
    }
    if (s.stable.model === s.canary.model) {
      out.push(finding(input, ['spec', 'canary', 'model'], { code: 'E_CANARY_STEP', message: `stable and canary are the same model ${s.canary.model}` }));
    }
    if (s.route !== undefined && !index.exists('GatewayRoute', s.route, input)) {
      out.push(
        finding(input, ['spec', 'route'], {
          code: 'E_REF_NOT_FOUND',
          message: `route ${s.route} names no GatewayRoute${index.env(input) ? ' in this environment' : ''}`,
          suggestion: index.didYouMean('GatewayRoute', s.route, input),
        }),
      );
    }
    const t = s.traffic;
    const manifest = input.parsed.manifest;
    const written = (field: string): boolean => valueAt(manifest, ['spec', 'traffic', field]) !== undefined;
    // Point at the field the user wrote: a defaulted stepWeight that exceeds a written maxWeight is fixed at maxWeight.
    const at = (field: string) => (written(field) ? ['spec', 'traffic', field] : written('maxWeight') ? ['spec', 'traffic', 'maxWeight'] : ['spec', 'traffic']);
    const dflt = (field: string) => (written(field) ? '' : ' (default)');
    if (t.steps && t.steps.length > 0) {
      t.steps.forEach((w, i) => {
        if (w > t.maxWeight) {
          out.push(finding(input, ['spec', 'traffic', 'steps', i], { code: 'E_CANARY_STEP', message: `step ${w} exceeds maxWeight ${t.maxWeight}${dflt('maxWeight')}` }));
        } else if (i > 0 && w < (t.steps?.[i - 1] ?? 0)) {
          out.push(finding(input, ['spec', 'traffic', 'steps', i], { code: 'E_CANARY_STEP', message: `steps must not decrease: ${t.steps?.[i - 1] ?? 0} then ${w}` }));
        }
      });
    }
    // One finding per mistake: when both exceed maxWeight, maxWeight is what is wrong.
    const over = [
      ...(t.canaryWeight > t.maxWeight ? ['canaryWeight' as const] : []),
      ...(!t.steps?.length && t.stepWeight > t.maxWeight ? ['stepWeight' as const] : []),
    ];
    const [only] = over;
    if (over.length === 2) {
      out.push(
        finding(input, at('maxWeight'), {
          code: 'E_CANARY_STEP',
          message: `maxWeight ${t.maxWeight}${dflt('maxWeight')} is below canaryWeight ${t.canaryWeight}${dflt('canaryWeight')} and stepWeight ${t.stepWeight}${dflt('stepWeight')}`,
        }),
      );
    } else if (only !== undefined) {
      out.push(
        finding(input, at(only), {
          code: 'E_CANARY_STEP',
          message: `${only} ${t[only]}${dflt(only)} exceeds maxWeight ${t.maxWeight}${dflt('maxWeight')}`,
        }),
      );
    }
  }
  return out;
}
