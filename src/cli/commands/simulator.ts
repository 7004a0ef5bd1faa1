import { InvalidArgumentError, Option, type Command } from 'commander';
import { PloydError, isPloydError } from '../../errors/index.ts';
import type { FailureType, SimulatorOptions } from '../../runtime/simulator/index.ts';
import type { RegisterCommand } from '../context.ts';

// Kept in step with FAILURE_TYPES in runtime/simulator/config.ts (which validates them again). The
// simulator module is imported only when the command runs: every replica of a simulated model is
// a `ployd simulator` process, and its start-up time is paid per replica.
const FAILURE_TYPES = ['server_error', 'rate_limit', 'timeout', 'disconnect'] as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds: a bare number is milliseconds (as llm-d-inference-sim), or a duration like `2s`. */
function millis(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected milliseconds (e.g. 50) or a duration (e.g. 50ms, 2s)');
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
}

function int(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('expected an integer');
  return Number(value);
}

function num(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

function percent(value: string): number {
  const n = num(value);
  if (n < 0 || n > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return n;
}

function failureTypes(value: string): FailureType[] {
  const list = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const t of list) {
    if (!(FAILURE_TYPES as readonly string[]).includes(t)) throw new InvalidArgumentError(`unknown failure type "${t}" (expected ${FAILURE_TYPES.join(', ')})`);
  }
  return list as FailureType[];
}

interface Flags {
  model: string;
  host?: string;
  port?: number;
  timeToFirstToken?: number;
  prefillTimePerToken?: number;
  interTokenLatency?: number;
  latencyStdDev?: number;
  timeFactorUnderLoad?: number;
  addedLatency?: number;
  maxNumSeqs?: number;
  maxWaitingQueueLength?: number;
  queueFullStatus?: string;
  maxModelLen?: number;
  startupDelay?: number;
  failureInjectionRate?: number;
  failureTypes?: FailureType[];
  mode?: 'echo' | 'random';
  seed?: number;
  outputTokens?: number;
  embeddingDimensions?: number;
  adminToken?: string;
  gracePeriod?: number;
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * `ployd simulator`: a vLLM-compatible model server that runs no model (docs/simulator.md).
 *
 * @example
 * ployd simulator --model llama-7b --port 8001 --time-to-first-token 50 --inter-token-latency 10 --max-num-seqs 8
 */
export const registerSimulator: RegisterCommand = (program: Command) => {
  program
    .command('simulator')
    .description('Run a vLLM-compatible model-server simulator (runs no model): OpenAI endpoints, latency, queueing, vLLM metrics, failure injection')
    .requiredOption('--model <name>', 'served model name clients send as "model"')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default 8000)', int)
    .option('--time-to-first-token <ms>', 'time to first token, ms or duration (default 0)', millis)
    .option('--prefill-time-per-token <ms>', 'added to time to first token per prompt token (default 0)', millis)
    .option('--inter-token-latency <ms>', 'time between output tokens (default 0)', millis)
    .option('--latency-std-dev <ms>', 'standard deviation of both latencies, normal, clamped at 0 (default 0)', millis)
    .option('--time-factor-under-load <x>', 'latency multiplier at max-num-seqs running (default 1)', num)
    .option('--added-latency <ms>', 'extra delay on every request (default 0)', millis)
    .option('--max-num-seqs <n>', 'requests generated at once (default 256, as vLLM)', int)
    .option('--max-waiting-queue-length <n>', 'requests that may wait beyond max-num-seqs (default 1000)', int)
    .addOption(new Option('--queue-full-status <status>', 'status when the queue is full (default 429)').choices(['429', '503']))
    .option('--max-model-len <n>', 'context length in tokens; sizes the simulated KV cache (default 4096)', int)
    .option('--startup-delay <ms>', '/health answers 503 for this long after start (default 0)', millis)
    .option('--failure-injection-rate <percent>', 'percentage 0-100 of requests that fail (default 0)', percent)
    .option('--failure-types <list>', `comma-separated: ${FAILURE_TYPES.join(',')} (default all)`, failureTypes)
    .addOption(new Option('--mode <mode>', 'echo the prompt or seeded random text (default random)').choices(['echo', 'random']))
    .option('--seed <n>', 'seed of every random draw (default 0)', int)
    .option('--output-tokens <n>', 'output length in random mode without max_tokens (default 32)', int)
    .option('--embedding-dimensions <n>', 'length of /v1/embeddings vectors (default 384)', int)
    .option('--admin-token <token>', 'require "Authorization: Bearer <token>" on /admin/config (or PLOYD_SIMULATOR_ADMIN_TOKEN)')
    .option('--grace-period <ms>', 'how long SIGTERM waits for in-flight requests (default 30s)', millis)
    .action(async (flags: Flags) => {
      const adminToken = flags.adminToken ?? process.env.PLOYD_SIMULATOR_ADMIN_TOKEN;
      const { failureInjectionRate, queueFullStatus, adminToken: _t, ...rest } = flags;
      const options: SimulatorOptions = {
        ...rest,
        ...(failureInjectionRate !== undefined ? { failureRate: failureInjectionRate / 100 } : {}),
        ...(queueFullStatus !== undefined ? { queueFullStatus: Number(queueFullStatus) as 429 | 503 } : {}),
        ...(adminToken !== undefined && adminToken !== '' ? { adminToken } : {}),
      };
      const { startSimulator } = await import('../../runtime/simulator/index.ts');
      let sim;
      try {
        sim = await startSimulator(options);
      } catch (err) {
        if (isPloydError(err) && err.code === 'E_VALIDATION') {
          // Name the flag the user typed, not the internal field.
          const message = err.message.replace(/\b([a-z]+[A-Z][A-Za-z]*|model|host|port|seed|mode)(?=:)/g, (f) => `--${kebab(f === 'failureRate' ? 'failureInjectionRate' : f)}`);
          throw new PloydError('E_USAGE', message);
        }
        throw err;
      }
      process.stdout.write(`ployd simulator: serving model "${sim.settings.model}" on ${sim.url} (simulated: no model runs)\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          process.stdout.write(`ployd simulator: ${signal}, finishing in-flight requests (grace ${sim.settings.gracePeriod} ms)\n`);
          void sim.close().then(resolve, resolve);
        };
        const onTerm = (): void => stop('SIGTERM');
        const onInt = (): void => stop('SIGINT');
        process.once('SIGTERM', onTerm);
        process.once('SIGINT', onInt);
      });
    });
};
