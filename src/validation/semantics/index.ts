import type { Diagnostic } from '../../errors/index.ts';
import type { ResourceIndex } from '../context.ts';
import type { ValidateOptions, ValidationInput } from '../types.ts';
import { checkApplications } from './application.ts';
import { checkCanaries } from './canary-deployment.ts';
import { checkDuplicates } from './duplicates.ts';
import { checkGatewayRoutes } from './gateway-route.ts';
import { checkModelDeployments } from './model-deployment.ts';
import { checkRollouts } from './model-rollout.ts';
import { checkPassthrough } from './passthrough.ts';
import { checkProjects } from './project.ts';

export { checkApplications, normaliseRepoURL } from './application.ts';
export { checkCanaries } from './canary-deployment.ts';
export { checkDuplicates } from './duplicates.ts';
export { checkGatewayRoutes, isFallbackOnly } from './gateway-route.ts';
export { checkModelDeployments } from './model-deployment.ts';
export { checkRollouts, phasesReferenced } from './model-rollout.ts';
export { checkPassthrough } from './passthrough.ts';
export { checkProjects, checkPolicyLine, RBAC_ACTIONS, RBAC_RESOURCES, type PolicyLineProblem } from './project.ts';
export { findCycle } from './cycles.ts';

/** Every semantic rule family over resources that passed their schema. */
export function checkSemantics(inputs: readonly ValidationInput[], index: ResourceIndex, options: ValidateOptions): Diagnostic[] {
  return [
    ...checkDuplicates(inputs, options),
    ...checkModelDeployments(inputs),
    ...checkGatewayRoutes(inputs, index),
    ...checkCanaries(inputs, index),
    ...checkRollouts(inputs, index),
    ...checkApplications(inputs, index, options),
    ...checkProjects(inputs),
    ...checkPassthrough(inputs),
  ];
}
