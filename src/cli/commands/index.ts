import type { RegisterCommand } from '../context.ts';
import { registerGateway } from './gateway.ts';
import { registerInit } from './init.ts';
import { registerRender } from './render.ts';
import { registerSchema } from './schema.ts';
import { registerSimulator } from './simulator.ts';
import { registerValidate } from './validate.ts';

/**
 * Every `ployd` sub-command, one file each. Add a line here when adding a command file.
 */
export const COMMANDS: readonly RegisterCommand[] = [registerValidate, registerRender, registerSchema, registerInit, registerSimulator, registerGateway];
