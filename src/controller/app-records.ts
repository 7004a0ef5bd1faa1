import { isPloydError, PloydError } from '../errors/index.ts';
import type { Application } from '../resources/index.ts';
import type { ApplicationRecord, ApplicationValues, Store } from '../store/index.ts';
import type { AppState } from './app-state.ts';

export function stateOf(rec: ApplicationRecord): AppState {
  return rec.operation ?? {};
}

export function appOf(rec: ApplicationRecord): Application {
  return rec.spec as Application;
}

/** Runs `fn` again while it fails with E_CONFLICT (a compare-and-set lost a race), a bounded number of times. */
export async function retryCas<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(isPloydError(e) && e.code === 'E_CONFLICT') || i > 20) throw e;
    }
  }
}

export type StatusColumns = { syncStatus?: string; healthStatus?: string; revision?: string | null };

/**
 * The controller's Application records: the last record read or written per app, and writes
 * that are compare-and-set on resourceVersion against it. A stale entry costs one E_CONFLICT and
 * a re-read, never a lost update; it saves a read before every status write. A reconcile starts
 * from a fresh read.
 */
export class AppRecords {
  readonly #store: Store;
  readonly #known = new Map<string, ApplicationRecord>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Keeps the newest record seen for an app (an older read finishing late never wins). */
  remember(rec: ApplicationRecord): ApplicationRecord {
    const cur = this.#known.get(rec.name);
    if (!cur || cur.resourceVersion <= rec.resourceVersion) this.#known.set(rec.name, rec);
    return rec;
  }

  forget(name: string): void {
    this.#known.delete(name);
  }

  /** A fresh read from the store (and remembered). */
  async read(name: string): Promise<ApplicationRecord | undefined> {
    const rec = await this.#store.applications.get(name);
    if (rec) this.remember(rec);
    else this.#known.delete(name);
    return rec;
  }

  /** A fresh read; E_NOT_FOUND when the app does not exist. */
  async require(name: string): Promise<ApplicationRecord> {
    const rec = await this.read(name);
    if (!rec) throw new PloydError('E_NOT_FOUND', `application ${name} not found`, { application: name });
    return rec;
  }

  /** The record as last seen, read if it never was. */
  async current(name: string): Promise<ApplicationRecord> {
    const rec = this.#known.get(name) ?? (await this.read(name));
    if (!rec) throw new PloydError('E_NOT_FOUND', `application ${name} not found`, { application: name });
    return rec;
  }

  /** Every app, in pages (and remembered). */
  async listAll(): Promise<ApplicationRecord[]> {
    const out: ApplicationRecord[] = [];
    let cursor: string | undefined;
    do {
      const p = await this.#store.applications.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const r of p.items) out.push(this.remember(r));
      cursor = p.nextCursor;
    } while (cursor !== undefined);
    return out;
  }

  /** New apps in multi-row statements (a repo of 1,000 apps starts with 1,000 of them). */
  async createMany(created: readonly { name: string; values: ApplicationValues }[]): Promise<void> {
    for (let i = 0; i < created.length; i += 500) for (const rec of await this.#store.applications.createMany(created.slice(i, i + 500))) this.remember(rec);
  }

  /** Records a changed Application spec (compare-and-set from the record listed). */
  async updateSpec(existing: ApplicationRecord, values: ApplicationValues): Promise<void> {
    if (existing.hash === values.hash) return;
    let first = true;
    await retryCas(async () => {
      const cur = first ? existing : await this.read(existing.name);
      first = false;
      this.remember(await this.#store.applications.update(existing.name, cur?.resourceVersion ?? 0, values));
    });
  }

  /**
   * Applies `change` to the app's state and writes it (one statement: compare-and-set against the
   * last record seen; on a conflict, reads afresh and re-applies `change`).
   */
  async updateState(name: string, change: (s: AppState) => AppState, status: StatusColumns = {}): Promise<AppState> {
    let fresh = false;
    return retryCas(async () => {
      const rec = fresh ? await this.read(name) : await this.current(name);
      fresh = true;
      if (!rec) throw new PloydError('E_NOT_FOUND', `application ${name} not found`, { application: name });
      const next = change(stateOf(rec));
      this.remember(await this.#store.applications.setStatus(name, rec.resourceVersion, { ...status, operation: next }));
      return next;
    });
  }
}
