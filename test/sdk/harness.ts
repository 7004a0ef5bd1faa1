import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { RouteTableInput, RouteTableSink } from '../../src/gateway/index.ts';
import { createPloyd, MemoryRuntime, type Actor, type CreatePloydOptions, type Ployd } from '../../src/sdk/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

export class CapturingSink implements RouteTableSink {
  readonly published: RouteTableInput[] = [];
  publish(input: RouteTableInput): void {
    this.published.push(input);
  }
  get last(): RouteTableInput | undefined {
    return this.published[this.published.length - 1];
  }
}

export interface Harness {
  store: Store;
  ployd: Ployd;
  runtime: MemoryRuntime | undefined;
  sink: CapturingSink;
}

const TABLES = [
  'resources', 'live_resources', 'deployment_status', 'canary_state', 'sync_history', 'applications', 'registry_versions', 'registry_models',
  'deployment_tracking', 'api_keys', 'users', 'api_tokens', 'rbac_policies', 'audit_log', 'events', 'metric_samples', 'settings',
];

type MakeOptions = { runtime?: boolean } & Omit<Partial<CreatePloydOptions>, 'runtime' | 'store' | 'routeSink'>;

/**
 * One in-memory PGlite per test file (creating one costs seconds on a busy machine); every test
 * starts from empty tables and gets its own SDK, runtime and sink. Call `h.make()` for an SDK
 * with other options (e.g. no runtime) over the same store.
 */
export function useHarness(defaults: MakeOptions = {}): { readonly current: Harness; make(options?: MakeOptions): Harness } {
  let pglite: PGlite;
  let store: Store;
  const made: Harness[] = [];
  let current: Harness | undefined;

  const make = (options: MakeOptions = defaults): Harness => {
    const runtime = options.runtime === false ? undefined : new MemoryRuntime();
    const sink = new CapturingSink();
    const { runtime: _r, ...rest } = options;
    const ployd = createPloyd({ ...rest, store, routeSink: sink, ...(runtime ? { runtime } : {}) });
    const h = { store, ployd, runtime, sink };
    made.push(h);
    return h;
  };

  beforeAll(async () => {
    pglite = await PGlite.create('memory://');
    store = await openStore({ pglite });
  });
  beforeEach(async () => {
    await pglite.exec(`truncate table ${TABLES.join(', ')} restart identity cascade`);
    current = make(defaults);
  });
  afterEach(async () => {
    for (const h of made.splice(0)) {
      await h.ployd.close();
      await h.runtime?.close();
    }
  });
  afterAll(async () => {
    await store?.close();
    await pglite?.close();
  });

  return {
    get current() {
      if (!current) throw new Error('harness used outside a test');
      return current;
    },
    make,
  };
}

export const alice: Actor = { subject: 'alice', groups: ['ml-engineers'], via: 'api' };
export const gitops: Actor = { subject: 'system:gitops', groups: ['role:admin'], via: 'gitops', commit: '3f2a9c1' };

export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw err;
  }
  return 'OK';
}

export async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}
