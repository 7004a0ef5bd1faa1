import type { Command } from 'commander';
import { z } from 'zod';
import { PloydError } from '../../errors/index.ts';
import { errorFromResponse } from '../../sdk/client/index.ts';
import type { RegisterCommand } from '../context.ts';
import { render, type OutputFormat } from '../output.ts';
import { DEFAULT_SERVER, parseArg, withClientOptions, type ClientFlags } from './client-options.ts';

interface AppView {
  name: string;
  project: string;
  environment: string;
  syncStatus: string;
  healthStatus: string;
  revision: string | null;
  targetRevision?: string;
  autoSync: boolean;
  pinnedRevision?: string;
  operation?: { phase: string; step: number; steps: number; current?: string; revision: string };
  lastOperation?: { phase: string; message: string; code?: string; revision: string };
  conditions: string[];
  diagnostics: { severity: string; code: string; message: string; file?: string; line?: number }[];
  resources: { kind: string; name: string; namespace: string; status: string; health?: string; message?: string }[];
}

/** JSON over HTTP to the applications endpoints (PloydClient covers the SDK; apps are the controller's). */
class AppsApi {
  readonly #server: string;
  readonly #token: string;
  constructor(flags: ClientFlags) {
    const token = flags.token ?? process.env.PLOYD_TOKEN;
    if (token === undefined || token === '') throw new PloydError('E_UNAUTHENTICATED', 'no token: pass --token or set PLOYD_TOKEN (ployd up prints the admin token on first start)');
    this.#server = (flags.server ?? process.env.PLOYD_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, '');
    this.#token = token;
  }
  async call<T>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.#server}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#token}`, 'x-ployd-client': 'cli', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new PloydError('E_SERVER_UNREACHABLE', `cannot reach ${this.#server}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (!res.ok) throw errorFromResponse(res.status, json);
    return json as T;
  }
}

const short = (sha: string | null | undefined): string => (sha ? sha.slice(0, 12) : '');

function print(data: unknown, format: OutputFormat, columns: readonly string[] = []): void {
  process.stdout.write(render(data, format, columns));
}

function printApp(a: AppView, format: OutputFormat): void {
  if (format !== 'table') return print(a, format);
  const lines = [
    `Name:        ${a.name}`,
    `Project:     ${a.project}`,
    `Environment: ${a.environment}`,
    `Sync:        ${a.syncStatus}${a.targetRevision ? ` (target ${short(a.targetRevision)})` : ''}`,
    `Health:      ${a.healthStatus}`,
    `Revision:    ${short(a.revision)}`,
    `Auto-sync:   ${a.autoSync ? 'on' : 'off'}${a.pinnedRevision ? ` (pinned to ${short(a.pinnedRevision)} by a rollback)` : ''}`,
  ];
  if (a.operation) lines.push(`Operation:   ${a.operation.phase} step ${a.operation.step + 1}/${a.operation.steps}${a.operation.current ? `: ${a.operation.current}` : ''}`);
  if (a.lastOperation) {
    const { phase, revision, message, code } = a.lastOperation;
    lines.push(`Last sync:   ${phase} at ${short(revision)}: ${code ? `${code} ` : ''}${message}`);
  }
  for (const c of a.conditions) lines.push(`Condition:   ${c}`);
  for (const d of a.diagnostics) lines.push(`Diagnostic:  ${d.file ?? ''}${d.line ? `:${d.line}` : ''} ${d.code} ${d.message}`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
  print(
    a.resources.map((r) => ({ kind: r.kind, name: r.name, status: r.status, health: r.health ?? '', message: r.message ?? '' })),
    'table',
    ['kind', 'name', 'status', 'health', 'message'],
  );
}

/** Polls the app while a long request runs, printing each new step: progress during a sync. */
async function withProgress<T>(api: AppsApi, name: string, work: Promise<T>): Promise<T> {
  let done = false;
  let last = '';
  const watch = (async () => {
    while (!done) {
      await new Promise((r) => setTimeout(r, 300));
      if (done) break;
      const a = await api.call<AppView>('GET', `/applications/${encodeURIComponent(name)}`).catch(() => undefined);
      const op = a?.operation;
      const line = op ? `  step ${op.step + 1}/${op.steps}: ${op.current ?? ''}` : '';
      if (line && line !== last) {
        process.stderr.write(`${line}\n`);
        last = line;
      }
    }
  })();
  try {
    return await work;
  } finally {
    done = true;
    await watch;
  }
}

const NameArg = z.string().min(1).max(253);

/**
 * `ployd app list|get|diff|sync|rollback|history|wait`: the GitOps applications, through the API.
 *
 * @example
 * ployd app list
 * ployd app diff quickstart-production
 * ployd app sync quickstart-production
 * ployd app rollback quickstart-dev 3
 * ployd app wait quickstart-dev --health Healthy --sync Synced --timeout 60
 */
export const registerApp: RegisterCommand = (program) => {
  const app = program.command('app').description('GitOps applications: status, diff, sync, rollback, history');
  const sub = (name: string, description: string): Command => withClientOptions(app.command(name).description(description));

  sub('list', 'Applications with sync and health status').action(async (flags: ClientFlags) => {
    const api = new AppsApi(flags);
    const { items } = await api.call<{ items: AppView[] }>('GET', '/applications');
    const format = (flags.output ?? 'table') as OutputFormat;
    if (format !== 'table') return print(items, format);
    print(
      items.map((a) => ({ name: a.name, environment: a.environment, sync: a.syncStatus, health: a.healthStatus, revision: short(a.revision), autoSync: a.autoSync ? 'on' : 'off', condition: a.conditions[0] ?? '' })),
      'table',
      ['name', 'environment', 'sync', 'health', 'revision', 'autoSync', 'condition'],
    );
  });

  sub('get', 'One application: status, resources, conditions, diagnostics')
    .argument('<name>')
    .action(async (name: string, flags: ClientFlags) => {
      const api = new AppsApi(flags);
      printApp(await api.call<AppView>('GET', `/applications/${encodeURIComponent(parseArg(NameArg, name, 'name'))}`), (flags.output ?? 'table') as OutputFormat);
    });

  sub('diff', 'What a sync would change: Git against live, by JSON pointer')
    .argument('<name>')
    .action(async (name: string, flags: ClientFlags) => {
      const api = new AppsApi(flags);
      const d = await api.call<{ revision: string; diffs: { key: { kind: string; name: string }; state: string; changes: { path: string; desired?: unknown; live?: unknown }[] }[]; diagnostics: AppView['diagnostics'] }>(
        'GET',
        `/applications/${encodeURIComponent(name)}/diff`,
      );
      const format = (flags.output ?? 'table') as OutputFormat;
      if (format !== 'table') return print(d, format);
      process.stdout.write(`revision ${short(d.revision)}\n`);
      for (const x of d.diagnostics) process.stdout.write(`! ${x.file ?? ''}${x.line ? `:${x.line}` : ''} ${x.code} ${x.message}\n`);
      if (d.diffs.length === 0) process.stdout.write('no differences: live state equals Git\n');
      for (const r of d.diffs) {
        const sign = r.state === 'added' ? '+' : r.state === 'removed' ? '-' : '~';
        process.stdout.write(`${sign} ${r.key.kind}/${r.key.name} (${r.state})\n`);
        for (const c of r.changes) process.stdout.write(`    ${c.path}: ${JSON.stringify(c.live)} -> ${JSON.stringify(c.desired)}\n`);
      }
    });

  sub('sync', 'Sync now (production and other manual environments); shows progress')
    .argument('<name>')
    .option('--revision <rev>', 'sync to this branch, tag or SHA')
    .option('--prune', 'delete what is no longer in Git')
    .option('--resume-auto-sync', 'lift a rollback pin and turn auto-sync back on')
    .action(async (name: string, flags: ClientFlags & { revision?: string; prune?: boolean; resumeAutoSync?: boolean }) => {
      const api = new AppsApi(flags);
      const body = { ...(flags.revision ? { revision: flags.revision } : {}), ...(flags.prune ? { prune: true } : {}), ...(flags.resumeAutoSync ? { resumeAutoSync: true } : {}) };
      const a = await withProgress(api, name, api.call<AppView>('POST', `/applications/${encodeURIComponent(name)}/sync`, body, 600_000));
      printApp(a, (flags.output ?? 'table') as OutputFormat);
    });

  sub('rollback', 'Roll back to a history entry (pins it; auto-sync off until resumed)')
    .argument('<name>')
    .argument('<id>', 'history entry id (ployd app history)')
    .action(async (name: string, id: string, flags: ClientFlags) => {
      const api = new AppsApi(flags);
      const n = parseArg(z.coerce.number().int().positive(), id, 'id');
      const a = await withProgress(api, name, api.call<AppView>('POST', `/applications/${encodeURIComponent(name)}/rollback`, { id: n }, 600_000));
      printApp(a, (flags.output ?? 'table') as OutputFormat);
    });

  sub('history', 'Sync history: revision, author, message, time, result')
    .argument('<name>')
    .action(async (name: string, flags: ClientFlags) => {
      const api = new AppsApi(flags);
      const { items } = await api.call<{ items: { id: number; revision: string | null; author?: string; message?: string; phase: string; result?: string; startedAt: string; initiatedBy: string }[] }>(
        'GET',
        `/applications/${encodeURIComponent(name)}/history`,
      );
      const format = (flags.output ?? 'table') as OutputFormat;
      if (format !== 'table') return print(items, format);
      print(
        items.map((h) => ({ id: h.id, revision: short(h.revision), phase: h.phase, time: h.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), author: h.author ?? '', message: h.message ?? '', by: h.initiatedBy })),
        'table',
        ['id', 'revision', 'phase', 'time', 'author', 'message', 'by'],
      );
    });

  sub('wait', 'Wait until an application is Synced/Healthy (exit 1 on timeout)')
    .argument('<name>')
    .option('--sync <status>', 'sync status to wait for', 'Synced')
    .option('--health <status>', 'health to wait for', 'Healthy')
    .option('--revision <sha>', 'also wait until this revision is synced (a prefix is enough)')
    .option('--timeout <seconds>', 'give up after', '120')
    .action(async (name: string, flags: ClientFlags & { sync: string; health: string; revision?: string; timeout: string }) => {
      const api = new AppsApi(flags);
      const deadline = Date.now() + parseArg(z.coerce.number().positive(), flags.timeout, '--timeout') * 1000;
      let last = '';
      for (;;) {
        const a = await api.call<AppView>('GET', `/applications/${encodeURIComponent(name)}`);
        const state = `${a.syncStatus}/${a.healthStatus} at ${short(a.revision)}${a.operation ? ` (syncing: ${a.operation.current ?? ''})` : ''}`;
        if (state !== last) {
          process.stderr.write(`  ${name}: ${state}\n`);
          last = state;
        }
        if (a.syncStatus === flags.sync && a.healthStatus === flags.health && !a.operation && (!flags.revision || (a.revision ?? '').startsWith(flags.revision))) {
          printApp(a, (flags.output ?? 'table') as OutputFormat);
          return;
        }
        if (Date.now() > deadline) throw new PloydError('E_TIMEOUT', `${name} is ${state}, not ${flags.sync}/${flags.health}${flags.revision ? ` at ${flags.revision}` : ''} after ${flags.timeout} s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    });
};
