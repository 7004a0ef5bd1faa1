import type { RegisterCommand } from '../context.ts';
import { registerAudit } from './audit.ts';
import { registerKeys } from './keys.ts';
import { registerModels } from './models.ts';
import { registerRegistry } from './registry.ts';
import { registerRoutes } from './routes.ts';
import { registerServer } from './server.ts';

/**
 * Every `ployd` sub-command, one file each. Add a line here when adding a command file.
 */
export const COMMANDS: readonly RegisterCommand[] = [
  registerModels,
  registerRoutes,
  registerRegistry,
  registerKeys,
  registerAudit,
  registerServer,
];
