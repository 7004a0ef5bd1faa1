import { z } from 'zod';
import { rootLogger } from '../../log/index.ts';
import { createPloyd } from '../../sdk/index.ts';
import { startServer } from '../../server/index.ts';
import { openStore } from '../../store/index.ts';
import type { RegisterCommand } from '../context.ts';
import { parseArg } from './client-options.ts';

interface ServerFlags {
  port: string;
  host: string;
  databaseUrl?: string;
  dataDir?: string;
}

/**
 * `ployd server`: the control-plane API over the store. Prints the first admin token once, at the
 * first start against an empty store, on stdout; never again and never to a log.
 *
 * @example
 * ployd server --port 8080 --host 127.0.0.1
 * ployd server --database-url postgres://ployd@db:5432/ployd
 */
export const registerServer: RegisterCommand = (program) => {
  program
    .command('server')
    .description('Run the control-plane API (REST under /api/v1)')
    .option('--port <port>', 'TCP port (0 = any free port)', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--database-url <url>', 'Postgres URL (default PLOYD_DATABASE_URL; else embedded PGlite)')
    .option('--data-dir <dir>', 'PGlite data directory', '.ployd/data')
    .action(async (flags: ServerFlags) => {
      const port = parseArg(z.coerce.number().int().min(0).max(65535), flags.port, '--port');
      const logger = rootLogger();
      const store = await openStore({
        logger,
        ...(flags.databaseUrl !== undefined ? { url: flags.databaseUrl } : {}),
        ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
      });
      const ployd = createPloyd({ store, logger });
      try {
        const adminToken = await ployd.security.ensureAdminToken();
        const server = await startServer({ ployd, logger, port, host: flags.host });
        if (adminToken !== undefined) {
          process.stdout.write(`admin token (shown once, store it now): ${adminToken}\n`);
        }
        process.stdout.write(`ployd server listening on ${server.url}\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        await server.close();
      } finally {
        await ployd.close();
        await store.close();
      }
    });
};
