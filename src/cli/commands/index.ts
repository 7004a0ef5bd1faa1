import type { RegisterCommand } from '../context.ts';
import { registerGateway } from './gateway.ts';

/**
 * Every `ployd` sub-command, one file each. Add a line here when adding a command file.
 */
export const COMMANDS: readonly RegisterCommand[] = [
  registerGateway,
];
