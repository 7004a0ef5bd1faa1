import type { z } from 'zod';
import { AppProject, ArgoApplication, ARGO_API_VERSION } from './kinds/argo.ts';
import { Application } from './kinds/application.ts';
import { CanaryDeployment } from './kinds/canary-deployment.ts';
import { Environment } from './kinds/environment.ts';
import { GatewayRoute } from './kinds/gateway-route.ts';
import { LLMDeployment, LLM_D_API_VERSION } from './kinds/llm-deployment.ts';
import { ModelDeployment } from './kinds/model-deployment.ts';
import { ModelRollout } from './kinds/model-rollout.ts';
import { Policy } from './kinds/policy.ts';
import { Project } from './kinds/project.ts';
import { convertAppProject, convertArgoApplication } from './convert/argo.ts';
import { convertLLMDeployment } from './convert/llm-deployment.ts';
import { PLOYD_API_VERSION } from './metadata.ts';

type Json = Record<string, unknown>;

export interface KindEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: z.ZodType;
  /** Foreign kinds: how they become a ployd.ai/v1 manifest (parsed again by the target schema). */
  readonly convert?: (parsed: never) => Json;
  readonly summary: string;
}

/** Every kind PloyD interprets, by `apiVersion/kind`. Passthrough kinds live in kinds/passthrough.ts. */
export const KINDS: readonly KindEntry[] = [
  { apiVersion: PLOYD_API_VERSION, kind: 'ModelDeployment', schema: ModelDeployment, summary: 'A model served by N replicas' },
  { apiVersion: PLOYD_API_VERSION, kind: 'GatewayRoute', schema: GatewayRoute, summary: 'How traffic reaches model backends' },
  { apiVersion: PLOYD_API_VERSION, kind: 'CanaryDeployment', schema: CanaryDeployment, summary: 'Step-by-step traffic shift with automatic rollback' },
  { apiVersion: PLOYD_API_VERSION, kind: 'ModelRollout', schema: ModelRollout, summary: 'Phased rollout: deploy, validate, route, next phase' },
  { apiVersion: PLOYD_API_VERSION, kind: 'Application', schema: Application, summary: 'A config-repo path synced to an environment' },
  { apiVersion: PLOYD_API_VERSION, kind: 'Project', schema: Project, summary: 'RBAC and allowed sources, destinations and kinds' },
  { apiVersion: PLOYD_API_VERSION, kind: 'Environment', schema: Environment, summary: 'Promotion mode and validation level' },
  { apiVersion: PLOYD_API_VERSION, kind: 'Policy', schema: Policy, summary: 'CEL validation rules' },
  {
    apiVersion: LLM_D_API_VERSION,
    kind: 'LLMDeployment',
    schema: LLMDeployment,
    convert: convertLLMDeployment,
    summary: 'llm-d deployment, converted to a ModelDeployment',
  },
  {
    apiVersion: ARGO_API_VERSION,
    kind: 'Application',
    schema: ArgoApplication,
    convert: convertArgoApplication,
    summary: 'Argo CD Application, converted to a ployd Application',
  },
  {
    apiVersion: ARGO_API_VERSION,
    kind: 'AppProject',
    schema: AppProject,
    convert: convertAppProject,
    summary: 'Argo CD AppProject, converted to a ployd Project',
  },
];

const BY_ID = new Map(KINDS.map((k) => [`${k.apiVersion}/${k.kind}`, k]));

export function findKind(apiVersion: string, kind: string): KindEntry | undefined {
  return BY_ID.get(`${apiVersion}/${kind}`);
}

/** The ployd.ai/v1 entry of a kind name (`ModelDeployment`). */
export function ploydKind(kind: string): KindEntry | undefined {
  return BY_ID.get(`${PLOYD_API_VERSION}/${kind}`);
}
