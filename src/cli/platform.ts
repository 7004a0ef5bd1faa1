import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Controller, ControllerMetrics, GitSource, LeaderElector, leaderLockKey, repoKind, type WebhookKind } from '../controller/index.ts';
import { PloydError } from '../errors/index.ts';
import { createGateway } from '../gateway/index.ts';
import { rootLogger, type Logger } from '../log/index.ts';
import { createLocalRuntime, GpuInventory, gpuMatchesType } from '../runtime/index.ts';
import { createPloyd, SYSTEM_ACTOR, type Ployd } from '../sdk/index.ts';
import { applicationRoutes, createHttpMetrics, startServer, type WebhookAction } from '../server/index.ts';
import { openStore } from '../store/index.ts';

/** A URL or scp-like `user@host:path` stays as written; anything else is a folder. */
export function repoArgument(repo: string): string {
  return repoKind(repo) === 'local' ? resolve(repo) : repo;
}

/**
 * What a verified webhook push does: the leader refreshes its git source; a standby must not act
 * (it would write app records and RBAC beside the leader), so it forwards the refresh to the
 * leader through Postgres (LISTEN/NOTIFY on the lock's channel) and answers 202 `forwarded`. When
 * it cannot reach the database it answers 503 E_NOT_LEADER, and the sender can redeliver.
 */
export function refreshOnPush(controller: Controller, logger: Logger): (kind: WebhookKind) => Promise<WebhookAction> {
  return async (kind) => {
    if (controller.isLeader) {
      logger.info({ kind }, 'webhook: verified push, refreshing the git source');
      void controller.refresh();
      return 'refreshing';
    }
    try {
      await controller.forwardRefresh();
    } catch (err) {
      throw new PloydError('E_NOT_LEADER', `this server is a standby controller and cannot forward the push to the leader (${(err as Error).message}): deliver webhooks to the leader`);
    }
    logger.info({ kind }, 'webhook: verified push forwarded to the leader');
    return 'forwarded';
  };
}

/** The running pieces of a GitOps process (`ployd up`, `ployd server --repo`), for embedding and tests. */
export interface RunningPlatform {
  readonly apiUrl: string;
  /** Undefined when the process runs no gateway (`ployd server --repo` without --gateway-port). */
  readonly gatewayUrl: string | undefined;
  /** A key the gateway accepts (smoke-test hooks use it); undefined without a gateway. */
  readonly apiKey: string | undefined;
  /** Printed on the first start only. */
  readonly adminToken: string | undefined;
  readonly repo: string;
  readonly ployd: Ployd;
  readonly controller: Controller;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** A git repo: a folder or a URL. */
  readonly repo: string;
  /** Runtime state (`runtime/`) and the git cache (`git-cache/`). */
  readonly stateDir: string;
  /** The store: a Postgres URL, else PGlite in `dataDir`. */
  readonly store: { readonly url?: string; readonly dataDir?: string };
  readonly port: number;
  readonly host: string;
  /** Undefined = no AI gateway in this process. */
  readonly gatewayPort?: number;
  readonly revision?: string;
  readonly gpus?: string;
  readonly verifySignatures?: boolean;
  readonly allowedSignersFile?: string;
  readonly pollIntervalMs?: number;
  /** `POST /api/v1/webhook` secret (default PLOYD_WEBHOOK_SECRET). */
  readonly webhookSecret?: string;
  /**
   * The process's API key (smoke-test hooks send requests with it) is revoked at close: for
   * `ployd server`, which never prints it, so no unseen valid key outlives the process.
   */
  readonly revokeApiKeyOnClose?: boolean;
  /** Env var holding an https token for the repo (default PLOYD_GIT_TOKEN when set). */
  readonly tokenEnv?: string;
}

/**
 * Store, local runtime, (gateway,) GitOps controller and API with the Applications routes and the
 * webhook, in this process. `ployd up` and `ployd server --repo` are this with different defaults.
 *
 * @example
 * const p = await startGitOpsPlatform({ repo, stateDir: '.ployd', store: { dataDir: '.ployd/data' }, port: 8080, host: '127.0.0.1' });
 * await p.close();
 */
export async function startGitOpsPlatform(o: PlatformOptions): Promise<RunningPlatform> {
  const logger = rootLogger();
  const stateDir = resolve(o.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch((e: unknown) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'shutdown step failed'));
    closers.length = 0;
  };
  try {
    const store = await openStore({ logger, ...(o.store.url ? { url: o.store.url } : { dataDir: o.store.dataDir ?? join(stateDir, 'data') }) });
    closers.push(() => store.close());
    const gpus = o.gpus !== undefined ? GpuInventory.declared(o.gpus) : await GpuInventory.detect();
    const runtime = await createLocalRuntime({ stateDir: join(stateDir, 'runtime'), gpus, logger, handleSignals: false });
    closers.push(() => runtime.close());
    // The gateway verifies keys through the SDK, and the SDK publishes routes to the gateway.
    const holder: { sdk?: Ployd } = {};
    const gateway =
      o.gatewayPort !== undefined
        ? createGateway({ logger, verifier: { verify: (k) => (holder.sdk ? holder.sdk.security.apiKeyVerifier.verify(k) : Promise.resolve(undefined)) } })
        : undefined;
    const sdk = createPloyd({ store, runtime, logger, ...(gateway ? { routeSink: gateway } : {}) });
    holder.sdk = sdk;
    closers.push(() => sdk.close());
    let gatewayUrl: string | undefined;
    let apiKey: string | undefined;
    if (gateway && o.gatewayPort !== undefined) {
      const gw = await gateway.listen(o.gatewayPort, o.host);
      closers.push(() => gateway.close());
      gatewayUrl = `http://${o.host}:${gw.port}`;
      const created = await sdk.security.createApiKey({ name: `ployd-${new Date().toISOString().replace(/[:.]/g, '-')}` }, SYSTEM_ACTOR);
      apiKey = created.key;
      if (o.revokeApiKeyOnClose) closers.push(async () => void (await sdk.security.revokeApiKey(created.info.id, SYSTEM_ACTOR)));
    }
    const adminToken = await sdk.security.ensureAdminToken();
    const tokenEnv = o.tokenEnv ?? (process.env.PLOYD_GIT_TOKEN ? 'PLOYD_GIT_TOKEN' : undefined);
    const source = new GitSource({
      repo: o.repo,
      cacheDir: join(stateDir, 'git-cache'),
      ...(o.revision !== undefined ? { revision: o.revision } : {}),
      ...(o.verifySignatures ? { verifySignatures: true } : {}),
      ...(o.allowedSignersFile !== undefined ? { allowedSignersFile: resolve(o.allowedSignersFile) } : {}),
      ...(tokenEnv !== undefined ? { tokenEnv } : {}),
    });
    // One registry: the API's authenticated /metrics serves the controller's ployd_app_* too.
    const httpMetrics = createHttpMetrics();
    const leaderUrl = o.store.url ?? process.env.PLOYD_DATABASE_URL;
    const controller = new Controller({
      metrics: new ControllerMetrics(httpMetrics.registry),
      ployd: sdk,
      store,
      source,
      logger,
      runtime,
      gpuCount: (type) => gpus.gpus.filter((g) => gpuMatchesType(g, type)).length,
      ...(gatewayUrl !== undefined && apiKey !== undefined ? { gateway: { url: gatewayUrl, apiKey } } : {}),
      ...(o.pollIntervalMs !== undefined ? { pollIntervalMs: o.pollIntervalMs } : {}),
      // Several processes on one Postgres: one controller acts. PGlite is one process anyway.
      // The key is the schema's: installations sharing a database in different schemas lead apart.
      ...(leaderUrl ? { leaderElection: new LeaderElector({ url: leaderUrl, key: leaderLockKey(store.schema), logger }) } : {}),
    });
    const server = await startServer({
      ployd: sdk,
      logger,
      port: o.port,
      host: o.host,
      metrics: httpMetrics,
      routes: applicationRoutes(controller),
      webhook: { secret: o.webhookSecret ?? process.env.PLOYD_WEBHOOK_SECRET, onPush: refreshOnPush(controller, logger) },
    });
    closers.push(() => server.close());
    const started = controller.start();
    closers.push(() => controller.stop());
    if (leaderUrl) {
      // A standby waits for the lock as long as the leader lives: serve the API meanwhile.
      logger.info('controller: waiting to be elected leader (Postgres advisory lock)');
      started.catch((e: unknown) => {
        if (!(e instanceof PloydError && e.code === 'E_NOT_LEADER')) logger.error({ err: e instanceof Error ? e.message : String(e) }, 'controller: cannot start');
      });
    } else {
      await started;
    }
    return { apiUrl: server.url, gatewayUrl, apiKey, adminToken, repo: o.repo, ployd: sdk, controller, close };
  } catch (err) {
    await close();
    throw err;
  }
}
