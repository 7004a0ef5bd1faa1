// The `ployd simulator` command alone, as an entry point esbuild bundles into one file for the
// supervisor bench (bench/runtime/supervisor.ts): same code, no per-process TypeScript loading.
import { Command } from 'commander';
import { registerSimulator } from '../../src/cli/commands/simulator.ts';

const program = new Command('ployd');
registerSimulator(program, { setExitCode: (c) => (process.exitCode = c) });
await program.parseAsync(process.argv.slice(2), { from: 'user' });
