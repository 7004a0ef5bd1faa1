import type { RegisterCommand } from '../context.ts';
import { registerSimulator } from './simulator.ts';
import { registerLogs } from './logs.ts';

/**
 * Every `ployd` sub-command, one file each. Add a line here when adding a command file.
 */
export const COMMANDS: readonly RegisterCommand[] = [
  registerSimulator,
  registerLogs,
];
