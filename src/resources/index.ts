// The API of PloyD: kinds, schemas, inferred types, defaults and conversions. Imports nothing of ours
// except the error vocabulary.
export * from './quantity.ts';
export * from './metadata.ts';
export * from './kinds/model-deployment.ts';
export * from './kinds/gateway-route.ts';
export * from './kinds/canary-deployment.ts';
export * from './kinds/model-rollout.ts';
export * from './kinds/application.ts';
export * from './kinds/project.ts';
export * from './kinds/environment.ts';
export * from './kinds/policy.ts';
export * from './kinds/llm-deployment.ts';
export * from './kinds/argo.ts';
export * from './kinds/passthrough.ts';
export { convertLLMDeployment, compact } from './convert/llm-deployment.ts';
export { convertArgoApplication, convertAppProject, unsupportedArgoSyncOptions } from './convert/argo.ts';
export { KINDS, findKind, ploydKind, type KindEntry } from './registry.ts';
export { findUnknownFields, suggest, levenshtein, type UnknownField } from './unknown-fields.ts';
export {
  parseResource,
  resourceId,
  isKind,
  type AnyResource,
  type PloydResource,
  type ParsedResource,
  type ParseResult,
  type ResourceIssue,
} from './parse.ts';
export { kindJsonSchema, allJsonSchemas, schemaFileName } from './json-schema.ts';
