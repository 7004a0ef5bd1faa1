// Validation: schema findings, semantic rules, CEL policies, the .rego check and the secret scan,
// as located diagnostics. Pure functions: the caller passes resources, files and a pathExists.
export { validateResources } from './validate.ts';
export type { DocumentLocator, FieldPath, UnparsedDocument, ValidateOptions, ValidationInput } from './types.ts';
export { schemaDiagnostics, schemaFindings, failedSchema } from './schema.ts';
export { ResourceIndex, envOf, ofKind } from './context.ts';
export { finding } from './locate.ts';
export { writtenPath, formatPath, valueAt } from './written-path.ts';
export {
  checkSemantics,
  checkApplications,
  checkCanaries,
  checkDuplicates,
  checkGatewayRoutes,
  checkModelDeployments,
  checkRollouts,
  checkPassthrough,
  checkProjects,
  checkPolicyLine,
  findCycle,
  isFallbackOnly,
  normaliseRepoURL,
  phasesReferenced,
  RBAC_ACTIONS,
  RBAC_RESOURCES,
  type PolicyLineProblem,
} from './semantics/index.ts';
export { checkPolicies, compilePolicies, evaluatePolicies, type CompiledPolicy } from './policies/evaluate.ts';
export { NO_ROOT_CONTAINERS_POLICY, READ_ONLY_ROOT_FS_POLICY, POD_SECURITY_POLICIES } from './policies/examples.ts';
export { compileCel, policyEnvironment, rolloutEnvironment, toCelValue, type CompiledCel } from './cel.ts';
export { checkRepoPaths } from './rego.ts';
export { scanSecrets, scanText, maskSecret, classifyKey, isReferenceOrPlaceholder, ALLOW_MARKER } from './secrets/scan.ts';
export { shannonEntropy, isHighEntropy } from './secrets/entropy.ts';
export { SECRET_PATTERNS, type SecretPattern } from './secrets/patterns.ts';
