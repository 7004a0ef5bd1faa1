import pg from 'pg';
import { PloydError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';

/** The advisory-lock key all PloyD controllers of one database contend for (`ployd-ctl` as int). */
export const LEADER_LOCK_KEY = 0x706c6f79;

/**
 * Leader election through a Postgres advisory lock held on a dedicated connection: the lock lives
 * as long as the session, so a crashed leader's lock is released by Postgres itself and another
 * controller takes over. On PGlite (embedded) the process is alone and leads without a lock.
 */
export class LeaderElector {
  readonly #url: string;
  readonly #key: number;
  readonly #log: Logger | undefined;
  #client: pg.Client | undefined;
  #leader = false;
  #stopped = false;
  #onLost: (() => void) | undefined;

  constructor(options: { url: string; key?: number; logger?: Logger }) {
    this.#url = options.url;
    this.#key = options.key ?? LEADER_LOCK_KEY;
    this.#log = options.logger;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /** One attempt: true when this process now holds the lock. */
  async tryAcquire(): Promise<boolean> {
    if (this.#leader) return true;
    if (!this.#client) {
      const c = new pg.Client({ connectionString: this.#url });
      c.on('error', (err) => this.#lost(err.message));
      c.on('end', () => this.#lost('connection closed'));
      try {
        await c.connect();
      } catch (err) {
        throw new PloydError('E_STORE', `leader election cannot connect: ${(err as Error).message}`);
      }
      this.#client = c;
    }
    const r = await this.#client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [this.#key]);
    this.#leader = r.rows[0]?.locked === true;
    if (this.#leader) this.#log?.info({ key: this.#key }, 'controller: elected leader');
    return this.#leader;
  }

  /** Waits (polling every `intervalMs`) until leader; `onLost` is called if the session dies. */
  async acquire(options: { intervalMs?: number; onLost?: () => void } = {}): Promise<void> {
    this.#onLost = options.onLost;
    while (!this.#stopped && !(await this.tryAcquire())) await new Promise((r) => setTimeout(r, options.intervalMs ?? 2000));
    if (this.#stopped && !this.#leader) throw new PloydError('E_NOT_LEADER', 'stopped before becoming leader');
  }

  #lost(why: string): void {
    if (!this.#leader) return;
    this.#leader = false;
    this.#log?.error({ why }, 'controller: leadership lost');
    this.#onLost?.();
  }

  /** Releases the lock (closing the session) and stops waiting. */
  async release(): Promise<void> {
    this.#stopped = true;
    const c = this.#client;
    this.#client = undefined;
    const was = this.#leader;
    this.#leader = false;
    if (c) {
      if (was) await c.query('select pg_advisory_unlock($1)', [this.#key]).catch(() => undefined);
      await c.end().catch(() => undefined);
    }
  }
}
