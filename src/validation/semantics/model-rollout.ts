import type { Diagnostic } from '../../errors/index.ts';
import { effectiveRules, phaseDependencies, suggest } from '../../resources/index.ts';
import { compileCel, rolloutEnvironment } from '../cel.ts';
import { ofKind, type ResourceIndex } from '../context.ts';
import { finding } from '../locate.ts';
import type { ValidationInput } from '../types.ts';
import { findCycle } from './cycles.ts';

const PHASE_REF = /\bphases\s*(?:\[\s*(?:'([^']*)'|"([^"]*)")\s*\]|\.\s*([A-Za-z_][A-Za-z0-9_]*))/g;

/** Phase names a `when` condition reads (`phases['validate-7b']`, `phases.deploy`). */
export function phasesReferenced(when: string): string[] {
  const out: string[] = [];
  for (const m of when.matchAll(PHASE_REF)) {
    const name = m[1] ?? m[2] ?? m[3];
    if (name !== undefined) out.push(name);
  }
  return out;
}

/**
 * ModelRollout: phase names are unique; dependsOn and `when` name existing phases; the phases
 * form no cycle; `when` compiles as CEL; deploy/validate models name ModelDeployments, route
 * steps name GatewayRoutes and their weights name backends of that route.
 */
export function checkRollouts(inputs: readonly ValidationInput[], index: ResourceIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { input, resource } of ofKind(inputs, 'ModelRollout')) {
    const phases = resource.spec.phases;
    const names = phases.map((p) => p.name);
    const firstAt = new Map<string, number>();
    phases.forEach((p, i) => {
      if (firstAt.has(p.name)) {
        out.push(finding(input, ['spec', 'phases', i, 'name'], { code: 'E_DUPLICATE_NAME', message: `phase ${p.name} is already defined as phase ${firstAt.get(p.name)}` }));
      } else firstAt.set(p.name, i);
    });
    const unknownPhase = (name: string, path: (string | number)[], what: string) => {
      const s = suggest(name, names);
      out.push(
        finding(input, path, {
          code: 'E_REF_NOT_FOUND',
          message: `${what} names no phase ${name} of this rollout`,
          suggestion: s ? `did you mean ${s}?` : `phases are ${names.join(', ')}`,
        }),
      );
    };
    phases.forEach((p, i) => {
      p.dependsOn?.forEach((d, j) => {
        if (!firstAt.has(d)) unknownPhase(d, ['spec', 'phases', i, 'dependsOn', j], 'dependsOn');
      });
      if (p.when !== undefined) {
        const compiled = compileCel(rolloutEnvironment(), p.when);
        if (!compiled.ok) {
          out.push(finding(input, ['spec', 'phases', i, 'when'], { code: 'E_SCHEMA', message: `when is not a valid CEL expression: ${compiled.error}` }));
        }
        for (const ref of phasesReferenced(p.when)) if (!firstAt.has(ref)) unknownPhase(ref, ['spec', 'phases', i, 'when'], 'when');
      }
      const env = index.env(input);
      // Not the environment's name: the same base file rendered for several environments then
      // yields one finding, not one per environment.
      const inEnv = env ? ' in this environment' : '';
      if (p.deploy && !index.exists('ModelDeployment', p.deploy.model, input)) {
        out.push(
          finding(input, ['spec', 'phases', i, 'deploy', 'model'], {
            code: 'E_REF_NOT_FOUND',
            message: `deploy.model ${p.deploy.model} names no ModelDeployment${inEnv}`,
            suggestion: index.didYouMean('ModelDeployment', p.deploy.model, input),
          }),
        );
      }
      if (p.validate?.model !== undefined && !index.exists('ModelDeployment', p.validate.model, input)) {
        out.push(
          finding(input, ['spec', 'phases', i, 'validate', 'model'], {
            code: 'E_REF_NOT_FOUND',
            message: `validate.model ${p.validate.model} names no ModelDeployment${inEnv}`,
            suggestion: index.didYouMean('ModelDeployment', p.validate.model, input),
          }),
        );
      }
      if (p.route) {
        const routes = index.find('GatewayRoute', p.route.name, input);
        const route = routes[0];
        if (route && p.route.weights) {
          const backends = [...new Set(effectiveRules(route).flatMap((r) => r.backends.map((b) => b.name)))];
          for (const name of Object.keys(p.route.weights)) {
            if (backends.includes(name)) continue;
            const s = suggest(name, backends);
            out.push(
              finding(input, ['spec', 'phases', i, 'route', 'weights', name], {
                code: 'E_REF_NOT_FOUND',
                message: `route.weights names ${name}, which is no backend of GatewayRoute ${route.metadata.name}`,
                suggestion: s ? `did you mean ${s}?` : `its backends are ${backends.join(', ')}`,
              }),
            );
          }
        }
        if (routes.length === 0) {
          out.push(
            finding(input, ['spec', 'phases', i, 'route', 'name'], {
              code: 'E_REF_NOT_FOUND',
              message: `route.name ${p.route.name} names no GatewayRoute${inEnv}`,
              suggestion: index.didYouMean('GatewayRoute', p.route.name, input),
            }),
          );
        }
      }
    });
    // A cycle is only meaningful once names are unique; duplicates were reported above.
    if (firstAt.size === phases.length) {
      const deps = phaseDependencies(resource.spec);
      const cycle = findCycle(names, deps);
      if (cycle) {
        const at = firstAt.get(cycle[0] ?? '') ?? 0;
        out.push(
          finding(input, ['spec', 'phases', at, 'dependsOn'], {
            code: 'E_ROLLOUT_CYCLE',
            message: `phases form a cycle: ${cycle.join(' → ')}`,
            suggestion: 'remove one dependsOn edge of the cycle',
          }),
        );
      }
    }
  }
  return out;
}
