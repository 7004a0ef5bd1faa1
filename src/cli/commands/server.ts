import type { Command } from 'commander';
import { z } from 'zod';
import { PloydError } from '../../errors/index.ts';
import { rootLogger } from '../../log/index.ts';
import { createPloyd } from '../../sdk/index.ts';
import { startServer } from '../../server/index.ts';
import { openStore } from '../../store/index.ts';
import type { RegisterCommand } from '../context.ts';
import { repoArgument, startGitOpsPlatform } from '../platform.ts';
import { parseArg } from './client-options.ts';
import { waitForSignal } from '../signals.ts';

interface ServerFlags {
  port: string;
  host: string;
  databaseUrl?: string;
  dataDir?: string;
  repo?: string;
  stateDir: string;
  gatewayPort?: string;
  revision?: string;
  gpus?: string;
  verifySignatures?: boolean;
  allowedSigners?: string;
  poll: string;
}

const PORT = z.coerce.number().int().min(0).max(65535);

/**
 * `ployd server`: the control-plane API over the store. With `--repo` it is also the GitOps
 * controller of that repo, as Argo CD's API server and application controller: the Applications
 * endpoints and `POST /api/v1/webhook` are served, and the local runtime runs the models (with
 * `--gateway-port`, the AI gateway too). Prints the first admin token once, at the first start
 * against an empty store, on stdout; never again and never to a log.
 *
 * @example
 * ployd server --port 8080 --host 127.0.0.1
 * ployd server --database-url postgres://ployd@db:5432/ployd --repo https://git.example.com/llm-config.git
 */
export const registerServer: RegisterCommand = (program) => {
  program
    .command('server')
    .description('Run the control-plane API (REST under /api/v1); with --repo also the GitOps controller')
    .option('--port <port>', 'TCP port (0 = any free port)', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--database-url <url>', 'Postgres URL (default PLOYD_DATABASE_URL; else embedded PGlite)')
    .option('--data-dir <dir>', 'PGlite data directory', '.ployd/data')
    .option('--repo <repo>', 'config repo to reconcile (a folder or a URL): serves /api/v1/applications and /api/v1/webhook')
    .option('--state-dir <dir>', 'with --repo: where runtime state and the git cache live', '.ployd')
    .option('--gateway-port <port>', 'with --repo: also run the AI gateway on this port')
    .option('--revision <rev>', 'with --repo: branch, tag or SHA to follow (default HEAD)')
    .option('--gpus <n[:type]>', 'with --repo: declare GPUs instead of asking nvidia-smi')
    .option('--verify-signatures', 'with --repo: apply only commits with a trusted signature (git verify-commit)')
    .option('--allowed-signers <file>', 'with --repo: SSH allowed-signers file for signature verification')
    .option('--poll <seconds>', 'with --repo: poll interval for remote repos (±10 % jitter)', '60')
    .action(async (flags: ServerFlags, cmd: Command) => {
      const port = parseArg(PORT, flags.port, '--port');
      const logger = rootLogger();
      const databaseUrl = flags.databaseUrl ?? (process.env.PLOYD_DATABASE_URL || undefined);
      // Flags with defaults (--poll, --state-dir) count when given on the command line.
      const given = (k: keyof ServerFlags): boolean => flags[k] !== undefined && cmd.getOptionValueSource(k) !== 'default';
      const repoOnly = (['gatewayPort', 'revision', 'gpus', 'verifySignatures', 'allowedSigners', 'poll', 'stateDir'] as const).filter(given);
      if (flags.repo === undefined && repoOnly.length > 0) {
        const flag = `--${repoOnly[0]?.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) ?? ''}`;
        throw new PloydError('E_USAGE', `${flag} needs --repo: without a config repo the server runs no controller, runtime or gateway`, { flag });
      }
      if (flags.repo !== undefined) {
        const poll = parseArg(z.coerce.number().positive(), flags.poll, '--poll');
        const p = await startGitOpsPlatform({
          repo: repoArgument(flags.repo),
          stateDir: flags.stateDir,
          store: databaseUrl !== undefined ? { url: databaseUrl } : { dataDir: flags.dataDir ?? '.ployd/data' },
          port,
          host: flags.host,
          pollIntervalMs: poll * 1000,
          revokeApiKeyOnClose: true,
          ...(flags.gatewayPort !== undefined ? { gatewayPort: parseArg(PORT, flags.gatewayPort, '--gateway-port') } : {}),
          ...(flags.revision !== undefined ? { revision: flags.revision } : {}),
          ...(flags.gpus !== undefined ? { gpus: flags.gpus } : {}),
          ...(flags.verifySignatures ? { verifySignatures: true } : {}),
          ...(flags.allowedSigners !== undefined ? { allowedSignersFile: flags.allowedSigners } : {}),
        });
        try {
          if (p.adminToken !== undefined) process.stdout.write(`admin token (shown once, store it now): ${p.adminToken}\n`);
          if (p.gatewayUrl !== undefined) process.stdout.write(`gateway listening on ${p.gatewayUrl}\n`);
          process.stdout.write(`ployd server listening on ${p.apiUrl} (GitOps: ${p.repo})\n`);
          await waitForSignal();
        } finally {
          await p.close();
        }
        return;
      }
      const store = await openStore({
        logger,
        ...(databaseUrl !== undefined ? { url: databaseUrl } : {}),
        ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
      });
      const ployd = createPloyd({ store, logger });
      try {
        const adminToken = await ployd.security.ensureAdminToken();
        // No git source here: the webhook answers 404 E_NOT_FOUND saying to start with --repo.
        const server = await startServer({ ployd, logger, port, host: flags.host, webhook: {} });
        if (adminToken !== undefined) {
          process.stdout.write(`admin token (shown once, store it now): ${adminToken}\n`);
        }
        process.stdout.write(`ployd server listening on ${server.url}\n`);
        await waitForSignal();
        await server.close();
      } finally {
        await ployd.close();
        await store.close();
      }
    });
};
