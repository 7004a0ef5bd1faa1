import type { Kysely } from 'kysely';
import { json, toDate } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';
import { PloydError } from '../../errors/index.ts';
import { casFailure, type ResourceKey } from './resources.ts';

export interface LiveResourceRecord extends ResourceKey {
  readonly spec: unknown;
  readonly status: unknown;
  readonly resourceVersion: number;
  readonly hash: string;
  readonly updatedAt: Date;
}

export interface DeploymentStatusRecord {
  readonly namespace: string;
  readonly name: string;
  readonly health: string;
  readonly message: string | null;
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly replicas: unknown[];
  readonly runtime: string | null;
  readonly observedAt: Date;
}

export interface CanaryStateRecord {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly step: number;
  readonly weight: number;
  readonly state: Record<string, unknown>;
  readonly resourceVersion: number;
  readonly updatedAt: Date;
}

/** Observed state: what runtimes and targets report, the controller's counterpart of desired state. */
export interface LiveStateRepository {
  putLive(key: ResourceKey, spec: unknown, status: unknown, hash: string): Promise<LiveResourceRecord>;
  getLive(key: ResourceKey): Promise<LiveResourceRecord | undefined>;
  listLive(kind?: string): Promise<LiveResourceRecord[]>;
  deleteLive(key: ResourceKey): Promise<boolean>;
  putDeploymentStatus(s: Omit<DeploymentStatusRecord, 'observedAt'> & { observedAt?: Date }): Promise<DeploymentStatusRecord>;
  getDeploymentStatus(namespace: string, name: string): Promise<DeploymentStatusRecord | undefined>;
  getCanary(namespace: string, name: string): Promise<CanaryStateRecord | undefined>;
  /** expectedVersion 0 = must not exist yet. */
  putCanary(s: Omit<CanaryStateRecord, 'resourceVersion' | 'updatedAt'>, expectedVersion: number): Promise<CanaryStateRecord>;
}

const toLive = (r: Row<'live_resources'>): LiveResourceRecord => ({
  kind: r.kind,
  namespace: r.namespace,
  name: r.name,
  spec: r.spec,
  status: r.status ?? undefined,
  resourceVersion: r.resource_version,
  hash: r.hash,
  updatedAt: toDate(r.updated_at),
});

const toStatus = (r: Row<'deployment_status'>): DeploymentStatusRecord => ({
  namespace: r.namespace,
  name: r.name,
  health: r.health,
  message: r.message,
  desiredReplicas: r.desired_replicas,
  readyReplicas: r.ready_replicas,
  replicas: r.replicas,
  runtime: r.runtime,
  observedAt: toDate(r.observed_at),
});

const toCanary = (r: Row<'canary_state'>): CanaryStateRecord => ({
  namespace: r.namespace,
  name: r.name,
  phase: r.phase,
  step: r.step,
  weight: r.weight,
  state: r.state,
  resourceVersion: r.resource_version,
  updatedAt: toDate(r.updated_at),
});

export function liveStateRepository(db: Kysely<Database>): LiveStateRepository {
  const repo: LiveStateRepository = {
    async putLive(key, spec, status, hash) {
      const row = await db
        .insertInto('live_resources')
        .values({ kind: key.kind, namespace: key.namespace, name: key.name, spec: json(spec), status: status === undefined ? null : json(status), hash })
        .onConflict((oc) =>
          oc.columns(['kind', 'namespace', 'name']).doUpdateSet((eb) => ({
            spec: eb.ref('excluded.spec'),
            status: eb.ref('excluded.status'),
            hash: eb.ref('excluded.hash'),
            resource_version: eb('live_resources.resource_version', '+', 1),
            updated_at: new Date(),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toLive(row);
    },
    async getLive(key) {
      const row = await db.selectFrom('live_resources').selectAll().where('kind', '=', key.kind).where('namespace', '=', key.namespace).where('name', '=', key.name).executeTakeFirst();
      return row ? toLive(row) : undefined;
    },
    async listLive(kind) {
      let q = db.selectFrom('live_resources').selectAll();
      if (kind !== undefined) q = q.where('kind', '=', kind);
      return (await q.orderBy('kind').orderBy('namespace').orderBy('name').execute()).map(toLive);
    },
    async deleteLive(key) {
      const r = await db.deleteFrom('live_resources').where('kind', '=', key.kind).where('namespace', '=', key.namespace).where('name', '=', key.name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async putDeploymentStatus(s) {
      const values = {
        namespace: s.namespace,
        name: s.name,
        health: s.health,
        message: s.message,
        desired_replicas: s.desiredReplicas,
        ready_replicas: s.readyReplicas,
        replicas: json(s.replicas),
        runtime: s.runtime,
        observed_at: s.observedAt ?? new Date(),
      };
      const row = await db
        .insertInto('deployment_status')
        .values(values)
        .onConflict((oc) => oc.columns(['namespace', 'name']).doUpdateSet({ ...values }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toStatus(row);
    },
    async getDeploymentStatus(namespace, name) {
      const row = await db.selectFrom('deployment_status').selectAll().where('namespace', '=', namespace).where('name', '=', name).executeTakeFirst();
      return row ? toStatus(row) : undefined;
    },
    async getCanary(namespace, name) {
      const row = await db.selectFrom('canary_state').selectAll().where('namespace', '=', namespace).where('name', '=', name).executeTakeFirst();
      return row ? toCanary(row) : undefined;
    },
    async putCanary(s, expectedVersion) {
      const what = `canary state ${s.namespace}/${s.name}`;
      if (expectedVersion === 0) {
        const row = await db
          .insertInto('canary_state')
          .values({ namespace: s.namespace, name: s.name, phase: s.phase, step: s.step, weight: s.weight, state: json(s.state) })
          .onConflict((oc) => oc.columns(['namespace', 'name']).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (row) return toCanary(row);
        const current = await repo.getCanary(s.namespace, s.name);
        throw new PloydError('E_CONFLICT', `${what} already exists at resourceVersion ${current?.resourceVersion ?? '?'}`, { resource: what });
      }
      const row = await db
        .updateTable('canary_state')
        .set((eb) => ({ phase: s.phase, step: s.step, weight: s.weight, state: json(s.state), resource_version: eb('resource_version', '+', 1), updated_at: new Date() }))
        .where('namespace', '=', s.namespace)
        .where('name', '=', s.name)
        .where('resource_version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (row) return toCanary(row);
      const current = await repo.getCanary(s.namespace, s.name);
      throw casFailure(what, expectedVersion, current?.resourceVersion);
    },
  };
  return repo;
}
