import type { RegisterCommand } from '../context.ts';
import { registerAlerts } from './alerts.ts';
import { registerApp } from './app.ts';
import { registerAudit } from './audit.ts';
import { registerGateway } from './gateway.ts';
import { registerInit } from './init.ts';
import { registerKeys } from './keys.ts';
import { registerModels } from './models.ts';
import { registerRegistry } from './registry.ts';
import { registerRender } from './render.ts';
import { registerRoutes } from './routes.ts';
import { registerSchema } from './schema.ts';
import { registerUp } from './up.ts';
import { registerServer } from './server.ts';
import { registerValidate } from './validate.ts';
import { registerSimulator } from './simulator.ts';
import { registerLogs } from './logs.ts';

/**
 * Every `ployd` sub-command, one file each. Add a line here when adding a command file.
 */
export const COMMANDS: readonly RegisterCommand[] = [
  registerValidate,
  registerRender,
  registerSchema,
  registerInit,
  registerModels,
  registerRoutes,
  registerRegistry,
  registerKeys,
  registerAudit,
  registerServer,
  registerGateway,
  registerUp,
  registerApp,
  registerAlerts,
  registerSimulator,
  registerLogs,
];
