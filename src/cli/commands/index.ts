import type { RegisterCommand } from '../context.ts';

/**
 * Every `ployd` sub-command by name, loaded on demand: running one command loads only its code
 * (a model-server replica started as `ployd simulator` never loads the store or the API server).
 * Add a line here when adding a command file.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  validate: async () => (await import('./validate.ts')).registerValidate,
  render: async () => (await import('./render.ts')).registerRender,
  schema: async () => (await import('./schema.ts')).registerSchema,
  init: async () => (await import('./init.ts')).registerInit,
  up: async () => (await import('./up.ts')).registerUp,
  app: async () => (await import('./app.ts')).registerApp,
  alerts: async () => (await import('./alerts.ts')).registerAlerts,
  audit: async () => (await import('./audit.ts')).registerAudit,
  gateway: async () => (await import('./gateway.ts')).registerGateway,
  keys: async () => (await import('./keys.ts')).registerKeys,
  logs: async () => (await import('./logs.ts')).registerLogs,
  models: async () => (await import('./models.ts')).registerModels,
  registry: async () => (await import('./registry.ts')).registerRegistry,
  routes: async () => (await import('./routes.ts')).registerRoutes,
  server: async () => (await import('./server.ts')).registerServer,
  simulator: async () => (await import('./simulator.ts')).registerSimulator,
};
