import { InvalidArgumentError, type Command } from 'commander';
import { type ReplicaLogFile, findReplicaLogs, followLogs, readLogLines } from '../../runtime/index.ts';
import type { RegisterCommand } from '../context.ts';

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return Number(value);
}

interface Flags {
  namespace?: string;
  replica?: number;
  follow?: boolean;
  tail?: number;
  stateDir: string;
}

/**
 * `ployd logs MODEL`: the stdout and stderr of a model's replicas run by the local runtime.
 *
 * @example
 * ployd logs llama-7b --namespace dev --replica 0 --tail 50 --follow
 */
export const registerLogs: RegisterCommand = (program: Command) => {
  program
    .command('logs')
    .description("Print the logs of a model's replicas (local runtime)")
    .argument('<model>', 'ModelDeployment name')
    .option('-n, --namespace <ns>', 'namespace (environment); needed only when the name is in several')
    .option('-r, --replica <n>', 'only this replica index', nonNegativeInt)
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--tail <n>', 'only the last N lines of each replica', nonNegativeInt)
    .option('--state-dir <dir>', 'local runtime state directory', process.env.PLOYD_RUNTIME_STATE_DIR ?? '.ployd/runtime')
    .action(async (model: string, flags: Flags) => {
      const files = findReplicaLogs(flags.stateDir, model, {
        ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
        ...(flags.replica !== undefined ? { replica: flags.replica } : {}),
      });
      // Several replicas: prefix each line with its index, as `kubectl logs --prefix` does.
      const prefix = (f: ReplicaLogFile): string => (files.length > 1 ? `[${f.replica}] ` : '');
      for (const f of files) {
        for (const line of readLogLines(f.path, flags.tail)) process.stdout.write(`${prefix(f)}${line}\n`);
      }
      if (!flags.follow) return;
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const partial = new Map<string, string>();
      await followLogs(
        files,
        (f, chunk) => {
          const text = (partial.get(f.path) ?? '') + chunk;
          const lines = text.split('\n');
          partial.set(f.path, lines.pop() ?? '');
          for (const line of lines) process.stdout.write(`${prefix(f)}${line}\n`);
        },
        stop.signal,
      );
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    });
};
