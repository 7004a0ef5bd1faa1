import type { Diagnostic } from '../../errors/index.ts';
import { servedModelName, type Backend } from '../../resources/index.ts';
import { ofKind, type ResourceIndex } from '../context.ts';
import { finding } from '../locate.ts';
import type { FieldPath, ValidationInput } from '../types.ts';
import { valueAt } from '../written-path.ts';

/** A fallback-only backend (fallback: true, weight: 0) takes traffic only when the others fail. */
export function isFallbackOnly(b: Backend): boolean {
  return b.fallback && b.weight === 0;
}

function checkBackends(input: ValidationInput, backends: readonly Backend[], path: FieldPath, index: ResourceIndex, out: Diagnostic[]): void {
  const weighted = backends.filter((b) => !isFallbackOnly(b));
  const sum = weighted.reduce((s, b) => s + b.weight, 0);
  if (sum !== 100) {
    const written = backends.map((b, i) => (valueAt(input.parsed.manifest, [...path, i, 'weight']) === undefined ? `${b.name}=${b.weight} (default)` : `${b.name}=${b.weight}`));
    out.push(
      finding(input, path, {
        code: 'E_WEIGHTS_SUM',
        message:
          weighted.length === 0
            ? 'every backend is fallback-only (fallback: true, weight: 0); at least one must take traffic'
            : `backend weights sum to ${sum}, must be 100 (${written.join(', ')})`,
        suggestion: backends.some((b) => b.fallback && b.weight > 0)
          ? 'a fallback backend still counts unless its weight is 0 (fallback: true, weight: 0 is fallback-only)'
          : undefined,
      }),
    );
  }
  // A common slip: naming the model clients send (spec.model.name) instead of the deployment.
  const servedBy = (name: string): string | undefined => {
    const deployments = index.all('ModelDeployment', input).filter((md) => servedModelName(md) === name).map((md) => md.metadata.name);
    return deployments.length === 0 ? undefined : `${name} is the served model name of ${deployments.join(', ')}; a backend names the ModelDeployment (metadata.name)`;
  };
  backends.forEach((b, i) => {
    if (b.url !== undefined || index.exists('ModelDeployment', b.name, input)) return;
    out.push(
      finding(input, [...path, i, 'name'], {
        code: 'E_REF_NOT_FOUND',
        message: `backend ${b.name} names no ModelDeployment${index.env(input) ? ' in this environment' : ''} and has no url`,
        suggestion: servedBy(b.name) ?? index.didYouMean('ModelDeployment', b.name, input) ?? 'add a ModelDeployment of that name or give the backend an explicit url',
      }),
    );
  });
}

/**
 * GatewayRoute: the weights of every rule (and of the flat `models` list) sum to 100, and every
 * backend names a ModelDeployment of the same environment or has an explicit url.
 */
export function checkGatewayRoutes(inputs: readonly ValidationInput[], index: ResourceIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { input, resource } of ofKind(inputs, 'GatewayRoute')) {
    resource.spec.rules?.forEach((rule, i) => checkBackends(input, rule.backends, ['spec', 'rules', i, 'backends'], index, out));
    if (resource.spec.models && resource.spec.models.length > 0) checkBackends(input, resource.spec.models, ['spec', 'models'], index, out);
    if (!resource.spec.rules?.length && !resource.spec.models?.length) {
      out.push(finding(input, ['spec'], { code: 'E_MISSING_FIELD', message: 'a GatewayRoute needs backends: spec.models or spec.rules' }));
    }
  }
  return out;
}
