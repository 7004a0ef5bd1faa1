// The PloyD SDK: ModelServing, AIGateway, ModelRegistry, Security, Monitoring (seed 001).
export * from './types.ts';
export * from './schemas.ts';
export { createPloyd, type CreatePloydOptions } from './create-ployd.ts';
export { ModelServingService, keywordsToManifest, NO_RUNTIME_MESSAGE } from './model-serving.ts';
export { AIGatewayService } from './ai-gateway.ts';
export { ModelRegistryService } from './model-registry.ts';
export { SecurityService, GLOBAL_RBAC, type SecurityOptions } from './security.ts';
export { MonitoringService, alertRules, ALERT_METRICS } from './monitoring.ts';
export { AuditLogService } from './audit-log.ts';
export { MemoryRuntime, type MemoryRuntimeOptions, type MemoryRuntimeCall } from './testing/memory-runtime.ts';
export { BUILTIN_LINES, globMatch as rbacGlobMatch, parseLines as parseRbacLines, projectLines, type PolicyRule, type GroupingRule } from './rbac/policy-lines.ts';
export { RbacEnforcer } from './rbac/enforcer.ts';
