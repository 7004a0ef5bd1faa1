import cluster from 'node:cluster';
import { watch } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { PloydError } from '../../errors/index.ts';
import { createGateway, loadRouteTableInput, type Gateway } from '../../gateway/index.ts';
import { rootLogger } from '../../log/index.ts';
import type { RegisterCommand } from '../context.ts';

interface GatewayFlags {
  readonly config?: string;
  readonly routes?: string;
  readonly port: string;
  readonly host: string;
  readonly workers: string;
  readonly redis?: string;
  readonly watch: boolean;
  readonly accessLogSample: string;
}

function intFlag(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new PloydError('E_USAGE', `${flag} must be an integer from ${min} to ${max}; got ${value}`, { flag });
  return n;
}

/**
 * `ployd gateway`: runs the AI gateway alone, from GatewayRoutes (and ModelDeployments) in a folder
 * or file; reloads them atomically when they change. `--workers N` runs N processes on one port.
 *
 * @example
 * ployd gateway --config ./config/prod --port 8080 --workers 2 --redis redis://127.0.0.1:6379
 */
export const registerGateway: RegisterCommand = (program: Command) => {
  program
    .command('gateway')
    .description('run the OpenAI-compatible AI gateway from GatewayRoute files')
    .option('--config <dir>', 'folder with GatewayRoute/ModelDeployment YAML (read recursively)')
    .option('--routes <file>', 'a single YAML file of GatewayRoutes')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--workers <n>', 'processes sharing the port (0 = one per core)', '1')
    .option('--redis <url>', 'Redis URL for rate limits shared by several gateways')
    .option('--no-watch', 'do not reload when the files change')
    .option('--access-log-sample <rate>', 'fraction of successful requests logged (errors always are)', '1')
    .action(async (flags: GatewayFlags) => {
      const source = flags.config ?? flags.routes;
      if (!source) throw new PloydError('E_USAGE', 'give --config <dir> or --routes <file>', { flag: '--config' });
      if (flags.config && flags.routes) throw new PloydError('E_USAGE', '--config and --routes are exclusive', { flag: '--routes' });
      const port = intFlag(flags.port, '--port', 0, 65535);
      const workersFlag = intFlag(flags.workers, '--workers', 0, 256);
      const workers = workersFlag === 0 ? availableParallelism() : workersFlag;
      const sample = Number(flags.accessLogSample);
      if (!(sample >= 0 && sample <= 1)) throw new PloydError('E_USAGE', '--access-log-sample must be between 0 and 1', { flag: '--access-log-sample' });
      // Fail fast on a bad config, in the primary, before forking.
      const input = await loadRouteTableInput(source);

      if (workers > 1 && cluster.isPrimary) {
        process.stdout.write(`ployd gateway: ${input.routes.length} route(s), ${workers} workers on http://${flags.host}:${port}\n`);
        for (let i = 0; i < workers; i++) cluster.fork();
        let stopping = false;
        cluster.on('exit', (worker, code) => {
          if (stopping) return;
          rootLogger().error({ pid: worker.process.pid, code }, 'gateway worker exited; starting another');
          cluster.fork();
        });
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            stopping = true;
            for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
            const check = setInterval(() => {
              if (Object.keys(cluster.workers ?? {}).length === 0) {
                clearInterval(check);
                resolve();
              }
            }, 50);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return;
      }
      await runOne(source, input, { port, host: flags.host, redis: flags.redis, watch: flags.watch, sample, announce: cluster.isPrimary });
    });
};

async function runOne(
  source: string,
  input: Awaited<ReturnType<typeof loadRouteTableInput>>,
  opts: { port: number; host: string; redis: string | undefined; watch: boolean; sample: number; announce: boolean },
): Promise<void> {
  const log = rootLogger().child({ component: 'cli-gateway' });
  let redis: Redis | undefined;
  if (opts.redis) {
    const { Redis } = await import('ioredis');
    redis = new Redis(opts.redis, { enableAutoPipelining: true, maxRetriesPerRequest: 1, commandTimeout: 500 });
  }
  const gw: Gateway = createGateway({ initial: input, accessLogSampleRate: opts.sample, ...(redis ? { redis } : {}) });
  const { port, host } = await gw.listen(opts.port, opts.host);
  if (opts.announce) process.stdout.write(`ployd gateway: ${input.routes.length} route(s) on http://${host}:${port}\n`);

  let timer: NodeJS.Timeout | undefined;
  const watcher = opts.watch
    ? watch(source, { recursive: true }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          loadRouteTableInput(source)
            .then((next) => {
              gw.publish(next);
              log.info({ routes: next.routes.length }, 'gateway: configuration reloaded');
            })
            .catch((err: unknown) => log.error({ err }, 'gateway: reload refused, keeping the current routes'));
        }, 100);
      })
    : undefined;

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      watcher?.close();
      clearTimeout(timer);
      void gw.close().then(() => {
        redis?.disconnect();
        // A cluster worker's IPC channel keeps it alive: let go of it so the worker can exit.
        if (cluster.isWorker) cluster.worker?.disconnect();
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
