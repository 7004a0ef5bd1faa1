import { Option, type Command } from 'commander';
import { z } from 'zod';
import { PloydError } from '../../errors/index.ts';
import { PloydClient } from '../../sdk/client/index.ts';
import type { Actor, Page } from '../../sdk/index.ts';
import { parseOutputFormat, render, type OutputFormat } from '../output.ts';

/** The flags every command that talks to `ployd server` takes. */
export interface ClientFlags {
  readonly server?: string;
  readonly token?: string;
  readonly output?: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** Changes made through the CLI are recorded with `via: cli`; the subject comes from the token. */
export const CLI_ACTOR: Actor = Object.freeze({ subject: 'cli', groups: Object.freeze([]), via: 'cli' as const });

/**
 * Adds `--server`, `--token` and `--output` to a command. Environment variables PLOYD_SERVER and
 * PLOYD_TOKEN are the defaults (prefer the variable for the token: flags show in `ps`).
 */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--server <url>', 'control-plane URL').env('PLOYD_SERVER'))
    .addOption(new Option('--token <token>', 'control-API token').env('PLOYD_TOKEN'))
    .addOption(new Option('-o, --output <format>', 'table, json or yaml').default('table'));
}

/** A client for the flags; no token is an error before any request is sent. */
export function clientFrom(flags: ClientFlags): { client: PloydClient; format: OutputFormat } {
  const format = parseOutputFormat(flags.output ?? 'table');
  const token = flags.token ?? process.env.PLOYD_TOKEN;
  if (token === undefined || token === '') {
    throw new PloydError('E_UNAUTHENTICATED', 'no token: pass --token or set PLOYD_TOKEN (ployd server prints the first admin token once)');
  }
  const server = flags.server ?? process.env.PLOYD_SERVER ?? DEFAULT_SERVER;
  return { client: new PloydClient({ server, token }), format };
}

/** Runs a command body with a client and always closes its connections. */
export async function withClient(flags: ClientFlags, body: (client: PloydClient, format: OutputFormat) => Promise<void>): Promise<void> {
  const { client, format } = clientFrom(flags);
  try {
    await body(client, format);
  } finally {
    await client.close();
  }
}

export function print(data: unknown, format: OutputFormat, columns: readonly string[] = []): void {
  process.stdout.write(render(data, format, columns));
}

/** Follows `nextCursor` until `max` items or the end. */
export async function collect<T>(fetchPage: (cursor: string | undefined, limit: number) => Promise<Page<T>>, max = 10_000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor, Math.min(1000, max - out.length));
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined && out.length < max);
  return out.slice(0, max);
}

/** Parses a flag or argument with zod, naming it in the usage error. */
export function parseArg<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new PloydError('E_USAGE', `${name}: ${r.error.issues[0]?.message ?? 'invalid'}; got ${String(value)}`, { flag: name });
  return r.data;
}

export const IntArg = z.coerce.number().int().min(0);

/** `2024-06-01T00:00:00Z` → a shorter `2024-06-01 00:00:00` for tables. */
export function when(d: Date | undefined): string {
  return d === undefined ? '' : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
