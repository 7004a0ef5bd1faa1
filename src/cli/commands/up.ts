import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PloydError } from '../../errors/index.ts';
import { packagePath } from '../../package-root.ts';
import { repoArgument, startGitOpsPlatform, type RunningPlatform } from '../platform.ts';
import type { RegisterCommand } from '../context.ts';
import { parseArg } from './client-options.ts';
import { waitForSignal } from '../signals.ts';

interface UpFlags {
  port: string;
  gatewayPort: string;
  host: string;
  dataDir: string;
  revision?: string;
  gpus?: string;
  verifySignatures?: boolean;
  allowedSigners?: string;
  poll: string;
}

/** The running pieces of `ployd up`, for embedding and tests: always with a gateway. */
export interface UpPlatform extends RunningPlatform {
  readonly gatewayUrl: string;
  readonly apiKey: string;
}

export interface UpOptions {
  /** A git repo (folder or URL); default: the quickstart demo copied into `<dataDir>/demo-repo`. */
  readonly repo?: string;
  readonly dataDir: string;
  readonly port: number;
  readonly gatewayPort: number;
  readonly host: string;
  readonly revision?: string;
  readonly gpus?: string;
  readonly verifySignatures?: boolean;
  readonly allowedSignersFile?: string;
  readonly pollIntervalMs?: number;
  /** Where examples/quickstart is (default: next to this package). */
  readonly quickstartDir?: string;
}

const QUICKSTART = packagePath('examples', 'quickstart');

/** Copies the quickstart into a fresh git repo (once): the demo config repo of `ployd up`. */
export function ensureDemoRepo(dir: string, from = QUICKSTART): string {
  if (existsSync(join(dir, '.git'))) return dir;
  if (!existsSync(from)) throw new PloydError('E_REPO_NOT_FOUND', `demo repo template not found: ${from}`, { path: from });
  mkdirSync(dir, { recursive: true });
  cpSync(from, dir, { recursive: true });
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=PloyD', '-c', 'user.email=ployd@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'ignore' });
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'PloyD quickstart: two simulated models, a 90/10 route, dev/staging auto, production manual');
  return dir;
}

/**
 * Starts store, local runtime, gateway, controller and API in this process.
 *
 * @example
 * const p = await startPlatform({ dataDir: '.ployd', port: 8080, gatewayPort: 8000, host: '127.0.0.1' });
 * console.log(p.gatewayUrl, p.apiKey);
 * await p.close();
 */
export async function startPlatform(o: UpOptions): Promise<UpPlatform> {
  const dataDir = resolve(o.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const p = await startGitOpsPlatform({
    repo: o.repo ?? ensureDemoRepo(join(dataDir, 'demo-repo'), o.quickstartDir),
    stateDir: dataDir,
    store: { dataDir: join(dataDir, 'data') },
    port: o.port,
    gatewayPort: o.gatewayPort,
    host: o.host,
    ...(o.revision !== undefined ? { revision: o.revision } : {}),
    ...(o.gpus !== undefined ? { gpus: o.gpus } : {}),
    ...(o.verifySignatures ? { verifySignatures: true } : {}),
    ...(o.allowedSignersFile !== undefined ? { allowedSignersFile: o.allowedSignersFile } : {}),
    ...(o.pollIntervalMs !== undefined ? { pollIntervalMs: o.pollIntervalMs } : {}),
  });
  const { gatewayUrl, apiKey } = p;
  if (gatewayUrl === undefined || apiKey === undefined) {
    await p.close();
    throw new PloydError('E_INTERNAL', 'ployd up started without its gateway');
  }
  return { ...p, close: () => p.close(), gatewayUrl, apiKey };
}

/**
 * `ployd up [REPO]`: store, controller, local runtime, gateway and API in one process, on a config
 * repo (default: a demo repo made from examples/quickstart). Ctrl-C stops everything.
 *
 * @example
 * ployd up                      # the demo
 * ployd up ~/src/llm-config     # your repo; commits apply within a second
 */
export const registerUp: RegisterCommand = (program) => {
  program
    .command('up')
    .description('Run the whole platform locally on a config repo (default: a demo repo)')
    .argument('[repo]', 'git repository: a folder or a URL')
    .option('--port <port>', 'control-plane API port', '8080')
    .option('--gateway-port <port>', 'AI gateway port', '8000')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--data-dir <dir>', 'where the store, runtime state and git cache live', '.ployd')
    .option('--revision <rev>', 'branch, tag or SHA to follow (default HEAD)')
    .option('--gpus <n[:type]>', 'declare GPUs instead of asking nvidia-smi')
    .option('--verify-signatures', 'apply only commits with a trusted signature (git verify-commit)')
    .option('--allowed-signers <file>', 'SSH allowed-signers file for signature verification')
    .option('--poll <seconds>', 'poll interval for remote repos', '60')
    .action(async (repoArg: string | undefined, flags: UpFlags) => {
      const port = parseArg(z.coerce.number().int().min(0).max(65535), flags.port, '--port');
      const gatewayPort = parseArg(z.coerce.number().int().min(0).max(65535), flags.gatewayPort, '--gateway-port');
      const poll = parseArg(z.coerce.number().positive(), flags.poll, '--poll');
      const p = await startPlatform({
        ...(repoArg !== undefined ? { repo: repoArgument(repoArg) } : {}),
        dataDir: flags.dataDir,
        port,
        gatewayPort,
        host: flags.host,
        pollIntervalMs: poll * 1000,
        ...(flags.revision !== undefined ? { revision: flags.revision } : {}),
        ...(flags.gpus !== undefined ? { gpus: flags.gpus } : {}),
        ...(flags.verifySignatures ? { verifySignatures: true } : {}),
        ...(flags.allowedSigners !== undefined ? { allowedSignersFile: flags.allowedSigners } : {}),
      });
      const out = process.stdout;
      out.write(`PloyD is up.\n`);
      out.write(`  config repo : ${p.repo}\n`);
      out.write(`  gateway     : ${p.gatewayUrl}\n`);
      out.write(`  API         : ${p.apiUrl}\n`);
      out.write(`  API key     : ${p.apiKey}\n`);
      if (p.adminToken !== undefined) out.write(`  admin token : ${p.adminToken}   (shown once: store it now)\n`);
      out.write(`\nTry it:\n  curl -s ${p.gatewayUrl}/v1/chat/completions -H 'Authorization: Bearer ${p.apiKey}' -H 'Content-Type: application/json' \\\n    -d '{"model":"chat","messages":[{"role":"user","content":"hello"}]}'\n`);
      out.write(`\nWatch the apps:\n  PLOYD_SERVER=${p.apiUrl} PLOYD_TOKEN=<admin token> ployd app list\n\nCtrl-C stops everything.\n`);
      await waitForSignal();
      out.write('stopping…\n');
      await p.close();
    });
};
