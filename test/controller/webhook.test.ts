import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshOnPush } from '../../src/cli/platform.ts';
import { Controller, GitSource, LeaderElector } from '../../src/controller/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { applicationRoutes, startServer, type RunningServer } from '../../src/server/index.ts';
import { eventually, harness, simulatorModelYaml, TestRepo, type Harness } from './harness.ts';

/**
 * `POST /api/v1/webhook` end to end over a socket: a remote (file://) repo that nothing polls, so
 * only a verified webhook makes the controller fetch. Two apps follow different branches: a push
 * moves only the app whose branch moved.
 */
const SECRET = 'webhook-secret-for-tests';
const app = (name: string, path: string, revision: string): string => `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: ${name}
spec:
  environment: dev
  source:
    path: ${path}
    targetRevision: ${revision}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`;
const model = (name: string, replicas: number): string => simulatorModelYaml(name, { replicas });

let h: Harness;
let server: RunningServer;
let token: string;
let pushes = 0;
let first: string;

beforeAll(async () => {
  const repo = new TestRepo();
  repo.write('apps/main-app.yaml', app('main-app', 'main-app', 'main'));
  repo.write('apps/release-app.yaml', app('release-app', 'release-app', 'release'));
  repo.write('main-app/m.yaml', model('main-model', 1));
  repo.write('release-app/m.yaml', model('release-model', 1));
  first = repo.commit('two apps');
  repo.git('branch', 'release');
  h = await harness(repo);
  // A remote URL: no file-system watch, and polling is an hour away (harness default).
  const source = new GitSource({ repo: `file://${repo.dir}`, cacheDir: h.cacheDir });
  await h.restart({ source });
  await h.controller.start();
  token = (await h.ployd.security.ensureAdminToken()) ?? '';
  server = await startServer({
    ployd: h.ployd,
    logger: createLogger(),
    port: 0,
    routes: applicationRoutes(h.controller),
    webhook: {
      secret: SECRET,
      onPush: () => {
        pushes++;
        void h.controller.refresh();
        return 'refreshing';
      },
    },
  });
  for (const name of ['main-app', 'release-app']) await eventually(async () => (await revisionOf(name)) === first, 25_000, `${name} synced`);
}, 90_000);
afterAll(async () => {
  await server.close();
  await h.close();
});

async function revisionOf(name: string): Promise<string | null> {
  const res = await fetch(`${server.url}/api/v1/applications/${name}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { revision: string | null; syncStatus: string };
  return body.syncStatus === 'Synced' ? body.revision : null;
}

const payload = (ref: string): string => JSON.stringify({ ref, after: '0'.repeat(40), repository: { full_name: 'your-org/llm-gitops-config' } });
const hmac = (body: string, secret = SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const post = (body: string, headers: Record<string, string>): Promise<Response> =>
  fetch(`${server.url}/api/v1/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const errorCode = async (res: Response): Promise<string> => ((await res.json()) as { error: { code: string } }).error.code;

describe('webhook endpoint over HTTP', () => {
  it('refuses bad signatures with 401 E_WEBHOOK_SIGNATURE and triggers nothing', async () => {
    const body = payload('refs/heads/main');
    h.repo.write('main-app/m.yaml', model('main-model', 2));
    h.repo.commit('main-model: 2 replicas');
    const cases: Record<string, string>[] = [
      { 'x-hub-signature-256': hmac(body, 'wrong-secret') },
      { 'x-hub-signature-256': hmac(`${body} `) },
      { 'x-gitlab-token': 'not-the-secret' },
      { 'x-ployd-signature': hmac(body, 'wrong-secret') },
      {},
    ];
    for (const headers of cases) {
      const res = await post(body, headers);
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe('E_WEBHOOK_SIGNATURE');
    }
    // Not a bearer-token endpoint: a valid admin token is no substitute for the signature.
    const withToken = await post(body, { authorization: `Bearer ${token}` });
    expect(withToken.status).toBe(401);
    expect(await errorCode(withToken)).toBe('E_WEBHOOK_SIGNATURE');
    const get = await fetch(`${server.url}/api/v1/webhook`);
    expect(get.status).toBe(405);
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const tooLarge = await post(huge, { 'x-hub-signature-256': hmac(huge) });
    expect(tooLarge.status).toBe(413);
    expect(await errorCode(tooLarge)).toBe('E_BODY_TOO_LARGE');
    expect(pushes).toBe(0);
    await h.controller.idle();
    expect(await revisionOf('main-app')).toBe(first);
  }, 90_000);

  it('a GitHub push (X-Hub-Signature-256) refreshes: the app on main moves, the one on release stays', async () => {
    const head = h.repo.git('rev-parse', 'main').trim();
    const body = payload('refs/heads/main');
    const res = await post(body, { 'x-github-event': 'push', 'x-hub-signature-256': hmac(body) });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true, kind: 'github' });
    expect(pushes).toBe(1);
    await eventually(async () => (await revisionOf('main-app')) === head, 25_000, 'main-app at the pushed commit');
    expect((await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'main-model' })).resource.spec.replicas).toBe(2);
    await h.controller.idle();
    expect(await revisionOf('release-app')).toBe(first);
  }, 90_000);

  it('a GitLab push (X-Gitlab-Token) refreshes', async () => {
    h.repo.write('main-app/m.yaml', model('main-model', 3));
    const head = h.repo.commit('main-model: 3 replicas');
    const res = await post(payload('refs/heads/main'), { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true, kind: 'gitlab' });
    await eventually(async () => (await revisionOf('main-app')) === head, 25_000, 'main-app at the GitLab push');
    expect((await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'main-model' })).resource.spec.replicas).toBe(3);
  }, 90_000);

  it('a generic HMAC push (X-Ployd-Signature) refreshes the app whose branch moved', async () => {
    h.repo.git('checkout', '-q', 'release');
    h.repo.write('release-app/m.yaml', model('release-model', 2));
    const head = h.repo.commit('release-model: 2 replicas');
    h.repo.git('checkout', '-q', 'main');
    const body = payload('refs/heads/release');
    const res = await post(body, { 'x-ployd-signature': hmac(body) });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true, kind: 'generic' });
    await eventually(async () => (await revisionOf('release-app')) === head, 25_000, 'release-app at the pushed commit');
    expect((await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'release-model' })).resource.spec.replicas).toBe(2);
    expect(pushes).toBe(3);
  }, 90_000);

  it('a standby controller (not the leader) answers 503 E_NOT_LEADER and does not act', async () => {
    // Never started: its elector holds no lock, as a second `ployd server --repo` on one Postgres.
    const standby = new Controller({
      ployd: h.ployd,
      store: h.store,
      source: new GitSource({ repo: `file://${h.repo.dir}`, cacheDir: h.cacheDir }),
      leaderElection: new LeaderElector({ url: 'postgres://standby.invalid/ployd' }),
    });
    const logger = createLogger();
    const standbyServer = await startServer({ ployd: h.ployd, logger, port: 0, webhook: { secret: SECRET, onPush: refreshOnPush(standby, logger) } });
    try {
      h.repo.write('main-app/m.yaml', model('main-model', 4));
      h.repo.commit('main-model: 4 replicas');
      const body = payload('refs/heads/main');
      const res = await fetch(`${standbyServer.url}/api/v1/webhook`, { method: 'POST', headers: { 'x-hub-signature-256': hmac(body) }, body });
      expect(res.status).toBe(503);
      expect(await errorCode(res)).toBe('E_NOT_LEADER');
      await h.controller.idle();
      expect((await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'main-model' })).resource.spec.replicas).toBe(3);
      // The leader's endpoint still takes it.
      const leader = await post(body, { 'x-hub-signature-256': hmac(body) });
      expect(leader.status).toBe(202);
      await eventually(async () => (await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'main-model' })).resource.spec.replicas === 4, 25_000, 'leader applied the push');
    } finally {
      await standbyServer.close();
    }
  }, 90_000);
});
