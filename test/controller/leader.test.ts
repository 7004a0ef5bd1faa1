import { describe, expect, it } from 'vitest';
import { Controller, GitSource, LeaderElector } from '../../src/controller/index.ts';
import { eventually, harness, QUICKSTART, TestRepo } from './harness.ts';

const url = process.env.PLOYD_TEST_DATABASE_URL;
const key = () => 0x10000 + Math.floor(Math.random() * 0xffff);

describe('leader election (Postgres advisory lock)', () => {
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

  it.skipIf(!url)('two controllers: only the leader acts; the standby acts after the leader stops', async () => {
    const k = key();
    const h = await harness(new TestRepo(QUICKSTART), { leaderElection: new LeaderElector({ url: url as string, key: k }) });
    const standby = new Controller({
      ployd: h.ployd,
      store: h.store,
      source: new GitSource({ repo: h.repo.dir, cacheDir: h.cacheDir }),
      leaderElection: new LeaderElector({ url: url as string, key: k }),
      pollIntervalMs: 3_600_000,
      resyncIntervalMs: 3_600_000,
    });
    try {
      await h.controller.start();
      const standbyStarted = standby.start();
      await eventually(async () => (await h.controller.get('quickstart-dev')).syncStatus === 'Synced', 8000, 'leader synced');
      expect(h.controller.isLeader).toBe(true);
      expect(standby.isLeader).toBe(false);
      await h.controller.stop();
      await standbyStarted;
      expect(standby.isLeader).toBe(true);
    } finally {
      await standby.stop();
      await h.close();
    }
  });
});
