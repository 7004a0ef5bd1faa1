#!/usr/bin/env node
// The `ployd` command. PloyD ships as TypeScript; tsx's loader compiles it on import
// (esbuild, cached), so `npm install && npm start` needs no separate build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
