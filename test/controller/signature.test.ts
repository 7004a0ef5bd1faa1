import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitSource } from '../../src/controller/index.ts';
import { eventually, harness, TestRepo, type Harness } from './harness.ts';

const APP = `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: signed
spec:
  environment: dev
  source:
    path: models
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`;
const model = (replicas: number): string => `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: chat
spec:
  model:
    name: chat
    framework: simulator
    path: hf://example/chat
  replicas: ${replicas}
`;

let h: Harness | undefined;
let keys: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (keys) rmSync(keys, { recursive: true, force: true });
});

function sshKey(dir: string, name: string): string {
  const key = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@example.com`, '-f', key]);
  return key;
}

function signedCommit(repo: TestRepo, key: string, message: string): string {
  repo.git('add', '-A');
  repo.git('-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`, 'commit', '-q', '-S', '-m', message);
  return repo.git('rev-parse', 'HEAD').trim();
}

describe('commit signatures (git verify-commit, SSH allowed signers)', () => {
  it('an unsigned or wrongly signed commit is never applied and is reported; a trusted one is', async () => {
    keys = mkdtempSync(join(tmpdir(), 'ployd-sig-keys-'));
    const trusted = sshKey(keys, 'release-bot');
    const mallory = sshKey(keys, 'mallory');
    const allowed = join(keys, 'allowed_signers');
    writeFileSync(allowed, `test@example.com ${execFileSync('cat', [`${trusted}.pub`], { encoding: 'utf8' }).trim()}\n`);

    const repo = new TestRepo();
    repo.write('apps/signed.yaml', APP);
    repo.write('models/m.yaml', model(1));
    const good = signedCommit(repo, trusted, 'signed: one replica');
    const cacheDir = mkdtempSync(join(tmpdir(), 'ployd-sig-cache-'));
    h = await harness(repo);
    const source = new GitSource({ repo: repo.dir, cacheDir, verifySignatures: true, allowedSignersFile: allowed });
    await h.restart({ source });
    const ctl = h.controller;
    const ployd = h.ployd;
    await ctl.start();
    await eventually(async () => (await ctl.get('signed')).revision === good, 25_000, 'signed commit applied');
    const replicas = async (): Promise<number | undefined> => (await ployd.modelServing.getModel({ namespace: 'dev', name: 'chat' })).resource.spec.replicas;
    expect(await replicas()).toBe(1);

    for (const [label, commit] of [
      ['unsigned', (): string => (repo.write('models/m.yaml', model(5)), repo.commit('unsigned: five replicas'))],
      ['signed by an unknown key', (): string => (repo.write('models/m.yaml', model(7)), signedCommit(repo, mallory, 'mallory: seven replicas'))],
    ] as const) {
      const sha = commit();
      const view = await eventually(
        async () => {
          const v = await ctl.get('signed');
          return v.diagnostics.some((d) => d.code === 'E_SIGNATURE' && d.message.includes(sha.slice(0, 12))) ? v : undefined;
        },
        25_000,
        `${label} commit reported`,
      );
      expect(view.diagnostics.filter((d) => d.code === 'E_SIGNATURE').map((d) => d.message)).toEqual([`commit ${sha.slice(0, 12)} has no trusted signature`]);
      expect(view.revision).toBe(good);
      await ctl.idle();
      expect(await replicas()).toBe(1);
      expect((await ctl.history('signed')).map((e) => e.revision)).not.toContain(sha);
    }
    const audit = await ployd.audit.list({ limit: 100 });
    expect(audit.items.filter((e) => e.resource === 'ModelDeployment/dev/chat').map((e) => e.commit)).toEqual([good]);

    repo.write('models/m.yaml', model(2));
    const fixed = signedCommit(repo, trusted, 'signed: two replicas');
    await eventually(async () => (await ctl.get('signed')).revision === fixed && (await replicas()) === 2, 25_000, 'next trusted commit applied');
    expect((await ctl.get('signed')).diagnostics.filter((d) => d.code === 'E_SIGNATURE')).toEqual([]);
    rmSync(cacheDir, { recursive: true, force: true });
  }, 90_000);
});
