import pg from 'pg';
import { PloydError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';

/** The advisory-lock key the PloyD controllers of the `public` schema contend for (`ploy` as int). */
export const LEADER_LOCK_KEY = 0x706c6f79;

/**
 * The lock key of the PloyD installation in `schema`. Advisory locks are per database, not per
 * schema: two installations sharing a database in different schemas (PLOYD_DATABASE_SCHEMA) must
 * not elect one leader between them. `public` keeps the historical key; other schemas hash
 * (FNV-1a, 32 bits: the key must fit the lock's objid, see HOLDS_LOCK).
 */
export function leaderLockKey(schema: string): number {
  if (schema === 'public') return LEADER_LOCK_KEY;
  let h = 0x811c9dc5;
  for (let i = 0; i < schema.length; i++) h = Math.imul(h ^ schema.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Whether this session holds the advisory lock (a single-bigint key: classid 0, objid = key). */
const HOLDS_LOCK =
  "select exists (select 1 from pg_locks where locktype = 'advisory' and classid = 0 and objid = $1 and objsubid = 1 and granted and pid = pg_backend_pid()) as held";

export interface LeaderElectorOptions {
  readonly url: string;
  readonly key?: number;
  readonly logger?: Logger;
  /** How often the leader checks that its session still holds the lock (default 2 s). */
  readonly heartbeatMs?: number;
  /** A check or attempt slower than this counts as failed: the session is dropped (default 5 s). */
  readonly queryTimeoutMs?: number;
}

/**
 * Leader election through a Postgres advisory lock held on a dedicated connection: the lock lives
 * as long as the session, so a crashed leader's lock is released by Postgres itself and another
 * controller takes over. The leader checks its session every `heartbeatMs` (and the controller
 * checks it again before each sync step); a lost session, a failed or slow check makes it step
 * down at once. On PGlite (embedded) the process is alone and leads without a lock.
 */
export class LeaderElector {
  readonly #url: string;
  readonly #key: number;
  readonly #log: Logger | undefined;
  readonly #heartbeatMs: number;
  readonly #queryTimeoutMs: number;
  #client: pg.Client | undefined;
  #leader = false;
  #stopped = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #onLost: (() => void) | undefined;
  #confirming: Promise<boolean> | undefined;
  #onRefreshRequest: (() => void) | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#url = options.url;
    this.#key = options.key ?? LEADER_LOCK_KEY;
    this.#log = options.logger;
    this.#heartbeatMs = options.heartbeatMs ?? 2000;
    this.#queryTimeoutMs = options.queryTimeoutMs ?? 5000;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /** The notification channel standbys use to ask the leader for a refresh (one per lock key). */
  get #channel(): string {
    return `ployd_refresh_${this.#key}`;
  }

  /**
   * Called on the leader when a standby forwards a refresh request (a webhook delivered to the
   * standby). Unset = requests are ignored. Only a leader's listener runs.
   */
  onRefreshRequest(listener: (() => void) | undefined): void {
    this.#onRefreshRequest = listener;
  }

  /**
   * Asks the leader, whichever process it is, to refresh its git source: a Postgres NOTIFY on the
   * installation's channel, which the leader's lock session listens to. Sent on a connection of its
   * own (webhooks are rare; the lock session is not shared with a request). Resolves once Postgres
   * has taken the notification; a database that cannot be reached rejects with E_STORE.
   */
  async requestRefresh(): Promise<void> {
    const c = new pg.Client({ connectionString: this.#url, query_timeout: this.#queryTimeoutMs, connectionTimeoutMillis: this.#queryTimeoutMs });
    c.on('error', () => undefined); // reported by the failing query below
    try {
      await c.connect();
      await c.query('select pg_notify($1, $2)', [this.#channel, 'refresh']);
    } catch (err) {
      throw new PloydError('E_STORE', `cannot forward the refresh to the leader: ${(err as Error).message}`);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** One attempt: true when this process now holds the lock. A dead session is replaced. */
  async tryAcquire(): Promise<boolean> {
    if (this.#leader) return true;
    if (this.#stopped) return false;
    const c = this.#client ?? (await this.#connect());
    const r = await c.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [this.#key]).catch((err: unknown) => {
      this.#drop(c, (err as Error).message);
      throw new PloydError('E_STORE', `leader election: ${(err as Error).message}`);
    });
    if (r.rows[0]?.locked !== true || this.#stopped) return false;
    this.#leader = true;
    this.#log?.info({ key: this.#key }, 'controller: elected leader');
    this.#heartbeat = setInterval(() => void this.confirm(), this.#heartbeatMs);
    this.#heartbeat.unref();
    return true;
  }

  async #connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.#url, query_timeout: this.#queryTimeoutMs, connectionTimeoutMillis: this.#queryTimeoutMs });
    c.on('error', (err) => this.#drop(c, err.message));
    c.on('end', () => this.#drop(c, 'connection closed'));
    // Every session listens (a standby's notifications are simply not acted on): the session that
    // wins the lock is already subscribed, with no window between election and LISTEN.
    c.on('notification', (n) => {
      if (n.channel === this.#channel && this.#leader && this.#client === c) this.#onRefreshRequest?.();
    });
    try {
      await c.connect();
      await c.query(`listen "${this.#channel}"`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw new PloydError('E_STORE', `leader election cannot connect: ${(err as Error).message}`);
    }
    this.#client = c;
    return c;
  }

  /**
   * Campaigns until leader: an attempt every `intervalMs` (default 2 s); a database that cannot be
   * reached is retried, not fatal. `onLost` is called each time leadership is lost afterwards.
   */
  async acquire(options: { intervalMs?: number; onLost?: () => void } = {}): Promise<void> {
    // A new campaign: an elector released earlier (a controller stopped, then started) may run again.
    this.#stopped = false;
    this.#onLost = options.onLost;
    for (;;) {
      if (this.#stopped) throw new PloydError('E_NOT_LEADER', 'stopped before becoming leader');
      const ok = await this.tryAcquire().catch((err: unknown) => {
        this.#log?.warn({ err: (err as Error).message }, 'controller: leader election attempt failed; retrying');
        return false;
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 2000));
    }
  }

  /**
   * Checks, on the locking session, that the lock is still held; steps down when not. The
   * controller calls it before each sync step, so a deposed leader does not start another step.
   */
  confirm(): Promise<boolean> {
    // One check at a time on the session (the heartbeat and a sync step may ask together).
    this.#confirming ??= this.#check().finally(() => {
      this.#confirming = undefined;
    });
    return this.#confirming;
  }

  async #check(): Promise<boolean> {
    const c = this.#client;
    if (!this.#leader || !c) return false;
    const held = await c.query<{ held: boolean }>(HOLDS_LOCK, [this.#key]).then(
      (r) => r.rows[0]?.held === true,
      (err: unknown) => {
        this.#drop(c, (err as Error).message);
        return false;
      },
    );
    if (!held && this.#client === c) this.#drop(c, 'the lock is no longer held by this session');
    return held && this.#leader;
  }

  /** Ends a session that failed: Postgres releases its lock with it. Steps down if leading. */
  #drop(c: pg.Client, why: string): void {
    if (this.#client !== c) return;
    this.#client = undefined;
    void c.end().catch(() => undefined);
    clearInterval(this.#heartbeat);
    if (!this.#leader) return;
    this.#leader = false;
    this.#log?.error({ why }, 'controller: leadership lost');
    this.#onLost?.();
  }

  /** Releases the lock (closing the session) and stops campaigning until the next `acquire`. */
  async release(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#heartbeat);
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
