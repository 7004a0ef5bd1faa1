import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { refreshOnPush } from '../../src/cli/platform.ts';
import { Controller, GitSource, LEADER_LOCK_KEY, LeaderElector, leaderLockKey } from '../../src/controller/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { startServer } from '../../src/server/index.ts';
import { eventually, harness, QUICKSTART, TestRepo } from './harness.ts';

const url = process.env.PLOYD_TEST_DATABASE_URL;
const key = () => 0x10000 + Math.floor(Math.random() * 0xffff);

/** Kills the session holding the lock, as a crashed leader's would end: Postgres releases it. */
async function killHolder(k: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>("select pid from pg_locks where locktype = 'advisory' and objid = $1 and granted", [k]);
    for (const row of r.rows) await c.query('select pg_terminate_backend($1)', [row.pid]);
    return r.rows.length;
  } finally {
    await c.end();
  }
}

const syncs = async (c: Controller): Promise<number> =>
  (await c.metrics.syncTotal.get()).values.filter((v) => v.labels.phase === 'Succeeded').reduce((n, v) => n + v.value, 0);

describe('leader election (Postgres advisory lock)', () => {
  it('the lock key is the schema\'s: installations in different schemas of one database lead apart', () => {
    expect(leaderLockKey('public')).toBe(LEADER_LOCK_KEY);
    const keys = ['ployd_a', 'ployd_b', 'tenant_1', 'tenant_2'].map(leaderLockKey);
    expect(new Set([...keys, LEADER_LOCK_KEY]).size).toBe(5);
    for (const k of keys) expect(Number.isInteger(k) && k >= 0 && k < 2 ** 32).toBe(true);
    expect(leaderLockKey('ployd_a')).toBe(keys[0]); // stable across processes: a pure function of the name
  });

  it.skipIf(!url)('one of two electors holds the lock; the other takes over when it is released', async () => {
    const k = key();
    const a = new LeaderElector({ url: url as string, key: k });
    const b = new LeaderElector({ url: url as string, key: k });
    try {
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(false);
      await a.release();
      await b.acquire({ intervalMs: 50 });
      expect(b.isLeader).toBe(true);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it.skipIf(!url)('a leader whose session dies steps down and reports it; a standby whose session dies reconnects', async () => {
    const k = key();
    const a = new LeaderElector({ url: url as string, key: k, heartbeatMs: 100 });
    const b = new LeaderElector({ url: url as string, key: k, heartbeatMs: 100 });
    let lost = 0;
    try {
      await a.acquire({ intervalMs: 50, onLost: () => lost++ });
      expect(await b.tryAcquire()).toBe(false);
      expect(await killHolder(k)).toBe(1);
      await eventually(() => Promise.resolve(!a.isLeader), 5000, 'a steps down');
      expect(lost).toBe(1);
      expect(await a.confirm()).toBe(false);
      // b's session was never killed; a's was: a opens a new one when it campaigns again.
      await b.acquire({ intervalMs: 50 });
      expect(await b.confirm()).toBe(true);
      expect(await a.tryAcquire()).toBe(false);
      await b.release();
      expect(await a.tryAcquire()).toBe(true);
      // Released, then a new campaign (a controller stopped and started again): it leads again.
      await a.release();
      await a.acquire({ intervalMs: 50 });
      expect(await a.confirm()).toBe(true);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it.skipIf(!url)('two controllers: only the leader acts; the standby acts after the leader stops', async () => {
    const k = key();
    const h = await harness(new TestRepo(QUICKSTART), { leaderElection: new LeaderElector({ url: url as string, key: k }) });
    const standby = new Controller({
      ployd: h.ployd,
      store: h.store,
      source: new GitSource({ repo: h.repo.dir, cacheDir: h.cacheDir }),
      leaderElection: new LeaderElector({ url: url as string, key: k }),
      leaderRetryMs: 50,
      pollIntervalMs: 3_600_000,
      resyncIntervalMs: 3_600_000,
    });
    try {
      await h.controller.start();
      const standbyStarted = standby.start();
      await eventually(async () => (await h.controller.get('quickstart-dev')).syncStatus === 'Synced', 8000, 'leader synced');
      expect(h.controller.isLeader).toBe(true);
      expect(standby.isLeader).toBe(false);
      await expect(standby.sync('quickstart-production', { actor: { subject: 'sre', groups: [], via: 'cli' } })).rejects.toMatchObject({ code: 'E_NOT_LEADER' });
      await h.controller.stop();
      await standbyStarted;
      expect(standby.isLeader).toBe(true);
    } finally {
      await standby.stop();
      await h.close();
    }
  });

  it.skipIf(!url)('a leader that dies is replaced within seconds; the deposed one acts no more, campaigns again and takes over later', async () => {
    const k = key();
    const elector = (): LeaderElector => new LeaderElector({ url: url as string, key: k, heartbeatMs: 200 });
    // a waits 2 × 500 ms after losing the lock before competing again; b tries every 50 ms.
    const h = await harness(new TestRepo(QUICKSTART), { leaderElection: elector(), leaderRetryMs: 500 });
    const a = h.controller;
    const b = new Controller({
      ployd: h.ployd,
      store: h.store,
      source: new GitSource({ repo: h.repo.dir, cacheDir: h.cacheDir }),
      leaderElection: elector(),
      leaderRetryMs: 50,
      pollIntervalMs: 3_600_000,
      resyncIntervalMs: 3_600_000,
    });
    try {
      await a.start();
      const bStarted = b.start();
      await eventually(async () => (await a.get('quickstart-dev')).syncStatus === 'Synced', 8000, 'a synced');
      await a.idle();
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      const aSyncs = await syncs(a);
      expect(await syncs(b)).toBe(0);

      // The leader's database session dies (a crash, a network cut): the lock goes with it.
      expect(await killHolder(k)).toBe(1);
      await eventually(() => Promise.resolve(b.isLeader), 5000, 'b takes over');
      await bStarted;
      await eventually(() => Promise.resolve(!a.isLeader), 3000, 'a steps down');
      expect(b.isLeader).toBe(true);

      // A new commit is synced by b only.
      h.repo.edit('base/route.yaml', 'weight: 90', 'weight: 80');
      h.repo.edit('base/route.yaml', 'weight: 10', 'weight: 20');
      const sha = h.repo.commit('80/20');
      await b.refresh();
      await eventually(async () => (await b.get('quickstart-dev')).revision === sha, 8000, 'b synced the commit');
      await a.refresh(); // a standby's refresh reads and writes nothing
      await b.idle();
      expect(await syncs(a)).toBe(aSyncs);
      expect(await syncs(b)).toBeGreaterThan(0);

      // b stops: a, campaigning since it stepped down, takes over.
      await b.stop();
      await eventually(() => Promise.resolve(a.isLeader), 5000, 'a leads again');
      h.repo.edit('base/route.yaml', 'weight: 80', 'weight: 70');
      h.repo.edit('base/route.yaml', 'weight: 20', 'weight: 30');
      const again = h.repo.commit('70/30');
      await a.refresh();
      await eventually(async () => (await a.get('quickstart-dev')).revision === again, 8000, 'a synced again');
      expect(await syncs(a)).toBeGreaterThan(aSyncs);
    } finally {
      await b.stop();
      await h.close();
    }
  });

  it.skipIf(!url)('a webhook delivered to the standby is forwarded to the leader (NOTIFY), which applies the push', async () => {
    const k = key();
    const secret = 'forwarded-webhook-secret';
    const repo = new TestRepo(QUICKSTART);
    // A remote (file://) URL: no file-system watch, and polling is an hour away: only the webhook moves it.
    const remote = `file://${repo.dir}`;
    const h = await harness(repo, { leaderElection: new LeaderElector({ url: url as string, key: k }) });
    await h.restart({ source: new GitSource({ repo: remote, cacheDir: h.cacheDir }) });
    const standby = new Controller({
      ployd: h.ployd,
      store: h.store,
      source: new GitSource({ repo: remote, cacheDir: h.cacheDir }),
      leaderElection: new LeaderElector({ url: url as string, key: k }),
      leaderRetryMs: 50,
      pollIntervalMs: 3_600_000,
      resyncIntervalMs: 3_600_000,
    });
    const logger = createLogger();
    const server = await startServer({ ployd: h.ployd, logger, port: 0, webhook: { secret, onPush: refreshOnPush(standby, logger) } });
    try {
      await h.controller.start();
      const standbyStarted = standby.start();
      await eventually(async () => (await h.controller.get('quickstart-dev')).syncStatus === 'Synced', 8000, 'leader synced');
      expect([h.controller.isLeader, standby.isLeader]).toEqual([true, false]);

      repo.edit('base/route.yaml', 'weight: 90', 'weight: 60');
      repo.edit('base/route.yaml', 'weight: 10', 'weight: 40');
      const sha = repo.commit('60/40');
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const res = await fetch(`${server.url}/api/v1/webhook`, { method: 'POST', headers: { 'x-hub-signature-256': signature, 'x-github-event': 'push' }, body });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: true, kind: 'github', forwarded: true });
      await eventually(async () => (await h.controller.get('quickstart-dev')).revision === sha, 10_000, 'the leader applied the forwarded push');
      expect(standby.isLeader).toBe(false);
      await h.controller.stop();
      await standbyStarted;
    } finally {
      await server.close();
      await standby.stop();
      await h.close();
    }
  });
});
