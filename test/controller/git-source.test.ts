import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitSource, verifyWebhook } from '../../src/controller/index.ts';
import { handleWebhook } from '../../src/server/index.ts';
import { TestRepo } from './harness.ts';

const cleanup: (() => void)[] = [];
afterEach(() => {
  // Last in, first out: a gpg-agent is stopped before its home folder is removed.
  for (const c of cleanup.splice(0).reverse()) c();
});
const temp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

describe('GitSource', () => {
  it('resolves, describes and exports trees of a local repo; refuses unknown revisions', async () => {
    const repo = new TestRepo();
    cleanup.push(() => repo.close());
    repo.write('a.yaml', 'x: 1\n');
    const first = repo.commit('first');
    repo.write('a.yaml', 'x: 2\n');
    const second = repo.commit('second');
    repo.git('tag', 'v1', first);
    const src = new GitSource({ repo: repo.dir, cacheDir: temp('ployd-git-cache-') });
    await src.fetch();
    expect(await src.resolve()).toBe(second);
    expect(await src.resolve('v1')).toBe(first);
    expect(await src.commit(first)).toMatchObject({ sha: first, author: 'Test Author <test@example.com>', message: 'first' });
    const tree = await src.tree(first);
    expect(execFileSync('cat', [join(tree, 'a.yaml')], { encoding: 'utf8' })).toBe('x: 1\n');
    expect(await src.tree(first)).toBe(tree);
    await expect(src.resolve('no-such-branch')).rejects.toMatchObject({ code: 'E_GIT' });
  });

  it('clones a remote (file://) into a mirror and fetches new commits', async () => {
    const repo = new TestRepo();
    cleanup.push(() => repo.close());
    repo.write('a.yaml', 'x: 1\n');
    repo.commit('first');
    const src = new GitSource({ repo: `file://${repo.dir}`, cacheDir: temp('ployd-git-cache-') });
    expect(src.isLocal).toBe(false);
    await src.fetch();
    const first = await src.resolve('main');
    repo.write('a.yaml', 'x: 2\n');
    const second = repo.commit('second');
    await src.fetch();
    expect(await src.resolve('main')).toBe(second);
    expect(first).not.toBe(second);
  });

  it('watch() calls back soon after a local commit', async () => {
    const repo = new TestRepo();
    cleanup.push(() => repo.close());
    repo.write('a.yaml', 'x: 1\n');
    repo.commit('first');
    const src = new GitSource({ repo: repo.dir, cacheDir: temp('ployd-git-cache-') });
    let calls = 0;
    src.watch(() => calls++);
    cleanup.push(() => src.close());
    repo.write('a.yaml', 'x: 2\n');
    repo.commit('second');
    const end = Date.now() + 5000;
    while (calls === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBeGreaterThan(0);
  });

  it('applies only SSH-signed commits from allowed signers', async () => {
    const keys = temp('ployd-keys-');
    const key = join(keys, 'id');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dev@example.com', '-f', key]);
    const other = join(keys, 'other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mallory@example.com', '-f', other]);
    const pub = execFileSync('cat', [`${key}.pub`], { encoding: 'utf8' }).trim();
    const allowed = join(keys, 'allowed_signers');
    writeFileSync(allowed, `test@example.com ${pub}\n`);
    const repo = new TestRepo();
    cleanup.push(() => repo.close());
    repo.write('a.yaml', 'x: 1\n');
    const unsigned = repo.commit('unsigned');
    repo.write('a.yaml', 'x: 2\n');
    repo.git('add', '-A');
    repo.git('-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`, 'commit', '-q', '-S', '-m', 'signed');
    const signed = repo.git('rev-parse', 'HEAD').trim();
    repo.write('a.yaml', 'x: 3\n');
    repo.git('add', '-A');
    repo.git('-c', 'gpg.format=ssh', '-c', `user.signingkey=${other}`, 'commit', '-q', '-S', '-m', 'signed by someone else');
    const wrong = repo.git('rev-parse', 'HEAD').trim();
    // Relative to where ployd runs, as a user types it; git itself runs elsewhere.
    const src = new GitSource({ repo: repo.dir, cacheDir: temp('ployd-git-cache-'), verifySignatures: true, allowedSignersFile: relative(process.cwd(), allowed) });
    expect(() => new GitSource({ repo: repo.dir, cacheDir: temp('ployd-git-cache-'), verifySignatures: true, allowedSignersFile: join(keys, 'missing') })).toThrow(
      expect.objectContaining({ code: 'E_USAGE' }) as Error,
    );
    await expect(src.verify(signed)).resolves.toBeUndefined();
    await expect(src.verify(unsigned)).rejects.toMatchObject({ code: 'E_SIGNATURE' });
    await expect(src.verify(wrong)).rejects.toMatchObject({ code: 'E_SIGNATURE' });
  });
});

const hasGpg = spawnSync('gpg', ['--version']).status === 0;

describe('GPG signatures', () => {
  it.skipIf(!hasGpg)('verifies against the GPG keyring of GNUPGHOME: a key there passes, any other key or none fails (skipped: gpg missing)', async () => {
    const keys = temp('ployd-gpg-');
    const home = (name: string): string => {
      const dir = join(keys, name);
      mkdirSync(dir, { mode: 0o700 });
      execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', `${name} <${name}@example.com>`, 'ed25519', 'sign', 'never'], { env: { ...process.env, GNUPGHOME: dir }, stdio: 'ignore' });
      // Signing starts a gpg-agent per home: stop it with the test.
      cleanup.push(() => void spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: dir } }));
      return dir;
    };
    const bot = home('release-bot');
    const mallory = home('mallory');
    const repo = new TestRepo();
    cleanup.push(() => repo.close());
    const sign = (gnupghome: string, who: string, message: string): string => {
      repo.write('a.yaml', `x: ${message}\n`);
      repo.git('add', '-A');
      execFileSync('git', ['-c', 'user.name=Dev', '-c', `user.email=${who}@example.com`, '-c', `user.signingkey=${who}@example.com`, 'commit', '-q', '-S', '-m', message], {
        cwd: repo.dir,
        env: { ...process.env, GNUPGHOME: gnupghome },
      });
      return repo.git('rev-parse', 'HEAD').trim();
    };
    const good = sign(bot, 'release-bot', 'signed');
    const bad = sign(mallory, 'mallory', 'mallory');
    repo.write('a.yaml', 'x: unsigned\n');
    const unsigned = repo.commit('unsigned');
    const saved = process.env.GNUPGHOME;
    process.env.GNUPGHOME = bot;
    cleanup.push(() => {
      if (saved === undefined) delete process.env.GNUPGHOME;
      else process.env.GNUPGHOME = saved;
    });
    const src = new GitSource({ repo: repo.dir, cacheDir: temp('ployd-git-cache-'), verifySignatures: true });
    await expect(src.verify(good)).resolves.toBeUndefined();
    await expect(src.verify(bad)).rejects.toMatchObject({ code: 'E_SIGNATURE' });
    await expect(src.verify(unsigned)).rejects.toMatchObject({ code: 'E_SIGNATURE' });
  });
});

describe('webhooks', () => {
  const secret = 's3cret';
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const sig = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  it('verifies GitHub, GitLab and generic signatures', () => {
    expect(verifyWebhook({ 'x-hub-signature-256': sig }, body, secret)).toEqual({ ok: true, kind: 'github' });
    expect(verifyWebhook({ 'x-hub-signature-256': sig.replace(/.$/, '0') }, body, secret).ok).toBe(sig.endsWith('0'));
    expect(verifyWebhook({ 'x-hub-signature-256': 'sha256=short' }, body, secret).ok).toBe(false);
    expect(verifyWebhook({ 'x-gitlab-token': secret }, body, secret)).toEqual({ ok: true, kind: 'gitlab' });
    expect(verifyWebhook({ 'x-gitlab-token': 'nope' }, body, secret).ok).toBe(false);
    expect(verifyWebhook({ 'x-ployd-signature': sig }, body, secret)).toEqual({ ok: true, kind: 'generic' });
    expect(verifyWebhook({}, body, secret).ok).toBe(false);
  });
  it('the endpoint refreshes only on a verified push', async () => {
    let pushes = 0;
    const onPush = (): 'refreshing' => (pushes++, 'refreshing');
    const req = (headers: Record<string, string>): Request => new Request('http://x/api/v1/webhook', { method: 'POST', headers, body });
    expect((await handleWebhook(req({ 'x-hub-signature-256': sig }), { secret, onPush })).status).toBe(202);
    expect((await handleWebhook(req({ 'x-hub-signature-256': 'sha256=00' }), { secret, onPush })).status).toBe(401);
    expect((await handleWebhook(req({ 'x-gitlab-token': secret }), { onPush })).status).toBe(404);
    expect(pushes).toBe(1);
  });
});
