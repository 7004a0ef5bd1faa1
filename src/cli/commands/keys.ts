import { z } from 'zod';
import type { ApiKeyInfo } from '../../sdk/index.ts';
import type { RegisterCommand } from '../context.ts';
import { CLI_ACTOR, collect, parseArg, print, when, withClient, withClientOptions, type ClientFlags } from './client-options.ts';

function row(k: ApiKeyInfo): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    routes: k.routes.join(',') || '*',
    tiers: k.tiers.join(','),
    rpm: k.rpm,
    tpm: k.tpm,
    expires: when(k.expiresAt),
    revoked: when(k.revokedAt),
  };
}
const COLUMNS = ['id', 'name', 'prefix', 'routes', 'tiers', 'rpm', 'tpm', 'expires', 'revoked'];

interface CreateFlags extends ClientFlags {
  route?: string[];
  tier?: string[];
  rpm?: string;
  tpm?: string;
  expiresAt?: string;
}

const collectValues = (value: string, previous: string[] = []): string[] => [...previous, value];
const Positive = z.coerce.number().int().positive();

/**
 * `ployd keys create|list|revoke`: gateway API keys. The key is printed once, at creation.
 *
 * @example
 * ployd keys create team-a --route chat-api-v2 --tier premium --rpm 600
 * ployd keys list
 * ployd keys revoke k_0123abcd
 */
export const registerKeys: RegisterCommand = (program) => {
  const keys = program.command('keys').description('Gateway API keys (Security)');

  withClientOptions(
    keys
      .command('create')
      .description('Create an API key; it is shown this once')
      .argument('<name>')
      .option('--route <route>', 'a GatewayRoute the key may call (repeatable; none = all)', collectValues)
      .option('--tier <tier>', 'a tier the key belongs to (repeatable)', collectValues)
      .option('--rpm <n>', 'requests per minute')
      .option('--tpm <n>', 'tokens per minute')
      .option('--expires-at <time>', 'RFC 3339 expiry, e.g. 2027-01-01T00:00:00Z'),
  ).action((name: string, flags: CreateFlags) =>
    withClient(flags, async (client, format) => {
      const created = await client.security.createApiKey(
        {
          name,
          ...(flags.route !== undefined ? { routes: flags.route } : {}),
          ...(flags.tier !== undefined ? { tiers: flags.tier } : {}),
          ...(flags.rpm !== undefined ? { rpm: parseArg(Positive, flags.rpm, '--rpm') } : {}),
          ...(flags.tpm !== undefined ? { tpm: parseArg(Positive, flags.tpm, '--tpm') } : {}),
          ...(flags.expiresAt !== undefined ? { expiresAt: parseArg(z.iso.datetime({ offset: true }), flags.expiresAt, '--expires-at') } : {}),
        },
        CLI_ACTOR,
      );
      if (format === 'table') {
        print(row(created.info), format, COLUMNS);
        process.stdout.write(`\nkey: ${created.key}\n`);
      } else print(created, format);
      process.stderr.write('Store the key now: it is not shown again.\n');
    }),
  );

  withClientOptions(keys.command('list').description('List API keys (never the keys)').option('--all', 'include revoked keys')).action(
    (flags: ClientFlags & { all?: boolean }) =>
      withClient(flags, async (client, format) => {
        const items = await collect((cursor, limit) =>
          client.security.listApiKeys({ limit, includeRevoked: flags.all === true, ...(cursor !== undefined ? { cursor } : {}) }),
        );
        print(format === 'table' ? items.map(row) : items, format, COLUMNS);
      }),
  );

  withClientOptions(keys.command('revoke').description('Revoke an API key').argument('<id>')).action((id: string, flags: ClientFlags) =>
    withClient(flags, async (client, format) => {
      const info = await client.security.revokeApiKey(id, CLI_ACTOR);
      print(format === 'table' ? row(info) : info, format, COLUMNS);
    }),
  );
};
