import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitSource, redactUrl, repoKind, tokenConfig } from '../../src/controller/index.ts';
import { repoArgument } from '../../src/cli/platform.ts';
import { capturingLogger } from '../server/helpers.ts';
import { startGitHttpServer } from './git-http-server.ts';
import { eventually, harness, TestRepo } from './harness.ts';

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
const temp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

/** Puts a `git` first on PATH that logs its argv (one line per call) and runs the real git. */
function recordGitArgv(): () => string {
  const dir = temp('ployd-git-shim-');
  const log = join(dir, 'argv.log');
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(join(dir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(dir, 'git'), 0o755);
  writeFileSync(log, '');
  const before = process.env.PATH;
  process.env.PATH = `${dir}:${before ?? ''}`;
  cleanup.push(() => {
    process.env.PATH = before;
  });
  return () => readFileSync(log, 'utf8');
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (readFileSync(p).includes(needle)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe('repository URLs', () => {
  it('classifies https, ssh (URL and scp-like), git, file and local folders', () => {
    expect(repoKind('https://github.com/your-org/llm-gitops-config')).toBe('https');
    expect(repoKind('http://127.0.0.1:8080/config.git')).toBe('https');
    expect(repoKind('ssh://git@github.com/your-org/llm-gitops-config.git')).toBe('ssh');
    expect(repoKind('ssh://git@gitlab.example.com:2222/group/config.git')).toBe('ssh');
    expect(repoKind('git+ssh://git@host/config.git')).toBe('ssh');
    expect(repoKind('git@github.com:your-org/llm-gitops-config.git')).toBe('ssh');
    expect(repoKind('deploy@10.0.0.5:/srv/git/config.git')).toBe('ssh');
    expect(repoKind('github.com:your-org/config.git')).toBe('ssh');
    expect(repoKind('git://git.example.com/config.git')).toBe('git');
    expect(repoKind('file:///srv/git/config.git')).toBe('file');
    expect(repoKind('/srv/git/config')).toBe('local');
    expect(repoKind('./config')).toBe('local');
    expect(repoKind('configs/with:colon-after/slash')).toBe('local');
    expect(() => repoKind('ftp://example.com/config.git')).toThrow(expect.objectContaining({ code: 'E_USAGE' }) as Error);
  });

  it('ployd up/server keep URLs as written and resolve folders', () => {
    expect(repoArgument('git@github.com:org/config.git')).toBe('git@github.com:org/config.git');
    expect(repoArgument('https://github.com/org/config')).toBe('https://github.com/org/config');
    expect(repoArgument('config')).toBe(join(process.cwd(), 'config'));
  });

  it('refuses a token inside an https URL and never echoes it', () => {
    const secret = 'ghp_inUrlSecret123';
    let err: unknown;
    try {
      new GitSource({ repo: `https://x-access-token:${secret}@github.com/org/config.git`, cacheDir: temp('ployd-git-cache-') });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'E_USAGE' });
    expect(JSON.stringify(err)).not.toContain(secret);
    expect(String((err as Error).message)).not.toContain(secret);
    expect(redactUrl(`https://u:${secret}@h/x`)).toBe('https://u:***@h/x');
  });

  it('scopes the token header to the repository origin, as basic auth', () => {
    const env = tokenConfig('https://git.example.com:8443/group/config.git', 'tok');
    expect(env).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://git.example.com:8443/.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from('x-access-token:tok').toString('base64')}`,
    });
  });

  it('fetches over ssh (scp-like URL) through GIT_SSH_COMMAND, and sends no token there', async () => {
    const origin = new TestRepo();
    cleanup.push(() => origin.close());
    origin.write('a.yaml', 'x: 1\n');
    const sha = origin.commit('first');
    // A stand-in for ssh: runs the remote command (git-upload-pack '<path>') locally, logging argv.
    const bin = temp('ployd-fake-ssh-');
    const log = join(bin, 'ssh.log');
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nwhile [ $# -gt 1 ]; do shift; done\nexec sh -c "$1"\n`);
    chmodSync(join(bin, 'ssh'), 0o755);
    const saved = { ssh: process.env.GIT_SSH_COMMAND, token: process.env.PLOYD_TEST_SSH_TOKEN };
    process.env.GIT_SSH_COMMAND = join(bin, 'ssh');
    process.env.PLOYD_TEST_SSH_TOKEN = 'ssh-should-never-see-this';
    cleanup.push(() => {
      for (const [k, v] of [
        ['GIT_SSH_COMMAND', saved.ssh],
        ['PLOYD_TEST_SSH_TOKEN', saved.token],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    const argv = recordGitArgv();
    const src = new GitSource({ repo: `deploy@git.example.com:${origin.dir}`, cacheDir: temp('ployd-git-cache-'), tokenEnv: 'PLOYD_TEST_SSH_TOKEN' });
    expect(src.kind).toBe('ssh');
    await src.fetch();
    expect(await src.resolve('main')).toBe(sha);
    const sshCalls = readFileSync(log, 'utf8');
    expect(sshCalls).toContain('deploy@git.example.com');
    expect(sshCalls).toContain(`git-upload-pack '${origin.dir}'`);
    expect(argv()).not.toContain('ssh-should-never-see-this');
    expect(argv()).not.toContain('extraHeader');
  });
});

describe('https with a token from the environment', () => {
  const TOKEN = 'glpat-Zx9SecretTokenValue42';
  const ENV = 'PLOYD_TEST_GIT_TOKEN';

  it('reaches the server as basic auth; never in argv, the mirror, nor errors', async () => {
    const root = temp('ployd-git-http-');
    const origin = new TestRepo();
    cleanup.push(() => origin.close());
    origin.write('a.yaml', 'x: 1\n');
    const first = origin.commit('first');
    execFileSync('git', ['clone', '-q', '--bare', origin.dir, join(root, 'config.git')]);
    const server = await startGitHttpServer(root, 'x-access-token', TOKEN);
    cleanup.push(() => server.close());
    const repoUrl = `${server.url}/config.git`;
    const argv = recordGitArgv();
    const saved = process.env[ENV];
    process.env[ENV] = TOKEN;
    cleanup.push(() => {
      if (saved === undefined) delete process.env[ENV];
      else process.env[ENV] = saved;
    });

    const cacheDir = temp('ployd-git-cache-');
    const src = new GitSource({ repo: repoUrl, cacheDir, tokenEnv: ENV });
    expect(src.url).toBe(repoUrl);
    await src.fetch();
    expect(await src.resolve('main')).toBe(first);
    // A second fetch (not a clone) brings a new commit.
    origin.write('a.yaml', 'x: 2\n');
    const second = origin.commit('second');
    execFileSync('git', ['push', '-q', join(root, 'config.git'), 'main'], { cwd: origin.dir });
    await src.fetch();
    expect(await src.resolve('main')).toBe(second);

    const basic = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
    expect(server.authorizations.filter((a) => a === basic).length).toBeGreaterThanOrEqual(2);
    expect(argv()).toContain('clone --mirror');
    expect(argv()).not.toContain(TOKEN);
    expect(argv()).not.toContain(basic.slice(6));
    expect(filesContaining(cacheDir, TOKEN)).toEqual([]);
    expect(filesContaining(cacheDir, basic.slice(6))).toEqual([]);
    const mirror = readdirSync(join(cacheDir, 'mirrors'))[0] ?? '';
    expect(execFileSync('git', ['config', 'remote.origin.url'], { cwd: join(cacheDir, 'mirrors', mirror), encoding: 'utf8' }).trim()).toBe(repoUrl);

    // Without the token the server refuses; the error is coded and carries no secret.
    delete process.env[ENV];
    const anonymous = new GitSource({ repo: repoUrl, cacheDir: temp('ployd-git-cache-'), tokenEnv: ENV });
    const err: unknown = await anonymous.fetch().then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_GIT' });
    expect(server.authorizations.at(-1)).toBeUndefined();
    // A wrong token: refused, and the wrong value is not echoed either.
    process.env[ENV] = 'wrong-token-value';
    const wrong = new GitSource({ repo: repoUrl, cacheDir: temp('ployd-git-cache-'), tokenEnv: ENV });
    const err2: unknown = await wrong.fetch().then(() => undefined, (e: unknown) => e);
    expect(err2).toMatchObject({ code: 'E_GIT' });
    expect(`${String((err2 as Error).message)} ${JSON.stringify(err2)}`).not.toContain('wrong-token-value');
  });

  it('a controller over the https repo syncs with the token, and its logs never carry it', async () => {
    const root = temp('ployd-git-http-');
    const origin = new TestRepo();
    cleanup.push(() => origin.close());
    origin.write('apps/remote.yaml', 'apiVersion: ployd.ai/v1\nkind: Application\nmetadata:\n  name: remote\nspec:\n  environment: dev\n  source:\n    path: models\n  syncPolicy:\n    automated: {}\n');
    origin.write('models/m.yaml', 'apiVersion: ployd.ai/v1\nkind: ModelDeployment\nmetadata:\n  name: chat\nspec:\n  model:\n    name: chat\n    framework: simulator\n    path: hf://example/chat\n  replicas: 1\n');
    const sha = origin.commit('app over https');
    execFileSync('git', ['clone', '-q', '--bare', origin.dir, join(root, 'config.git')]);
    const server = await startGitHttpServer(root, 'x-access-token', TOKEN);
    cleanup.push(() => server.close());
    const saved = process.env[ENV];
    process.env[ENV] = TOKEN;
    cleanup.push(() => {
      if (saved === undefined) delete process.env[ENV];
      else process.env[ENV] = saved;
    });
    const { logger, lines } = capturingLogger();
    const h = await harness(new TestRepo());
    cleanup.push(() => h.close());
    await h.restart({ logger, source: new GitSource({ repo: `${server.url}/config.git`, cacheDir: h.cacheDir, tokenEnv: ENV }) });
    await h.controller.start();
    await eventually(async () => (await h.controller.get('remote')).revision === sha, 25_000, 'app synced over https');
    expect((await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'chat' })).resource.spec.replicas).toBe(1);
    // The token is revoked: the next refresh fails, and says so in the log without any secret.
    process.env[ENV] = 'revoked-token-value';
    await h.controller.refresh();
    const log = lines.join('');
    expect(log).toContain('controller: cannot read the repository');
    expect(log).toContain('git fetch failed');
    for (const secret of [TOKEN, 'revoked-token-value', Buffer.from(`x-access-token:${TOKEN}`).toString('base64')]) expect(log).not.toContain(secret);
  });
});
