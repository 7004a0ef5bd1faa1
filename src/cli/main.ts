import { Command, CommanderError } from 'commander';
import { exitCodeOf, isPloydError } from '../errors/index.ts';
import { COMMANDS } from './commands/index.ts';

/**
 * Entry point of the `ployd` command; returns the exit code instead of exiting so tests can call
 * it in-process.
 *
 * @example
 * const code = await main(['validate', 'examples/quickstart', '--env', 'dev']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('ployd')
    .description('GitOps control plane and AI gateway for self-hosted LLMs')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  program.allowExcessArguments(false);

  let exitCode = 0;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  // Only the invoked command's code is loaded; help and unknown commands load them all.
  const invoked = argv[0] !== undefined ? COMMANDS[argv[0]] : undefined;
  const loaders = invoked ? [invoked] : Object.values(COMMANDS);
  for (const register of await Promise.all(loaders.map((load) => load()))) register(program, { setExitCode });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors; everything else commander rejects is usage (exit 2).
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isPloydError(err)) {
      process.stderr.write(`error ${err.code}: ${err.message}\n`);
      return exitCodeOf(err);
    }
    process.stderr.write(`error E_INTERNAL: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
