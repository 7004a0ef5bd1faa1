import type { Kysely } from 'kysely';
import { PloydError } from '../../errors/index.ts';
import { decodeCursor, json, pageLimit, toDate, toPage, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';

/** One desired-state resource as stored. */
export interface ResourceRecord {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly apiVersion: string;
  readonly spec: unknown;
  readonly manifest: Record<string, unknown>;
  readonly labels: Record<string, string>;
  readonly application: string | null;
  readonly resourceVersion: number;
  readonly hash: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ResourceKey {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface ResourceValues {
  readonly apiVersion: string;
  readonly spec: unknown;
  readonly manifest: Record<string, unknown>;
  readonly labels?: Record<string, string>;
  readonly application?: string | null;
  readonly hash: string;
}

export interface ResourceListQuery {
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly application?: string | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

export interface ResourceRepository {
  get(key: ResourceKey): Promise<ResourceRecord | undefined>;
  /** The resources that exist among `keys`, in one statement (primary-key lookups); any order. */
  getMany(keys: readonly ResourceKey[]): Promise<ResourceRecord[]>;
  /** Like get, but E_NOT_FOUND when absent. */
  require(key: ResourceKey): Promise<ResourceRecord>;
  list(query: ResourceListQuery): Promise<StorePage<ResourceRecord>>;
  /** Every resource of a kind (route-table publishing); ordered by namespace, name. */
  listAll(kind: string): Promise<ResourceRecord[]>;
  /** E_ALREADY_EXISTS when the key exists. */
  create(key: ResourceKey, values: ResourceValues): Promise<ResourceRecord>;
  /** Compare-and-set on resourceVersion: E_CONFLICT when stale, E_NOT_FOUND when absent. */
  update(key: ResourceKey, expectedVersion: number, values: ResourceValues): Promise<ResourceRecord>;
  /** E_NOT_FOUND when absent; E_CONFLICT when expectedVersion is given and stale. */
  delete(key: ResourceKey, expectedVersion?: number): Promise<ResourceRecord>;
}

function toRecord(r: Row<'resources'>): ResourceRecord {
  return {
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    apiVersion: r.api_version,
    spec: r.spec,
    manifest: r.manifest as Record<string, unknown>,
    labels: r.labels,
    application: r.application,
    resourceVersion: r.resource_version,
    hash: r.hash,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

export function describeKey(key: ResourceKey): string {
  return `${key.kind}/${key.namespace}/${key.name}`;
}

/** The shared outcome of a compare-and-set that matched no row: absent, or changed meanwhile. */
export function casFailure(what: string, expected: number, current: number | undefined, notFoundCode: 'E_NOT_FOUND' = 'E_NOT_FOUND'): PloydError {
  if (current === undefined) return new PloydError(notFoundCode, `${what} not found`, { resource: what });
  return new PloydError('E_CONFLICT', `${what} was changed meanwhile: expected resourceVersion ${expected}, current is ${current}`, {
    resource: what,
    expected,
    current,
  });
}

export function resourceRepository(db: Kysely<Database>): ResourceRepository {
  const byKey = (key: ResourceKey) =>
    db.selectFrom('resources').where('kind', '=', key.kind).where('namespace', '=', key.namespace).where('name', '=', key.name);

  const repo: ResourceRepository = {
    async get(key) {
      const row = await byKey(key).selectAll().executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async getMany(keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('resources')
        .selectAll()
        .where((eb) => eb(eb.refTuple('kind', 'namespace', 'name'), 'in', keys.map((k) => eb.tuple(k.kind, k.namespace, k.name))))
        .execute();
      return rows.map(toRecord);
    },

    async require(key) {
      const rec = await repo.get(key);
      if (!rec) throw new PloydError('E_NOT_FOUND', `${describeKey(key)} not found`, { resource: describeKey(key) });
      return rec;
    },

    async list(query) {
      const limit = pageLimit(query.limit);
      let q = db.selectFrom('resources').selectAll().where('kind', '=', query.kind);
      if (query.namespace !== undefined) q = q.where('namespace', '=', query.namespace);
      if (query.application !== undefined) q = q.where('application', '=', query.application);
      if (query.cursor !== undefined) {
        const [ns, name] = decodeCursor(query.cursor, 2).map(String) as [string, string];
        q = q.where((eb) => eb.or([eb('namespace', '>', ns), eb.and([eb('namespace', '=', ns), eb('name', '>', name)])]));
      }
      const rows = await q.orderBy('namespace').orderBy('name').limit(limit + 1).execute();
      return toPage(rows, limit, toRecord, (r) => [r.namespace, r.name]);
    },

    async listAll(kind) {
      const rows = await db.selectFrom('resources').selectAll().where('kind', '=', kind).orderBy('namespace').orderBy('name').execute();
      return rows.map(toRecord);
    },

    async create(key, values) {
      const row = await db
        .insertInto('resources')
        .values({
          kind: key.kind,
          namespace: key.namespace,
          name: key.name,
          api_version: values.apiVersion,
          spec: json(values.spec),
          manifest: json(values.manifest),
          labels: json(values.labels ?? {}),
          application: values.application ?? null,
          hash: values.hash,
          resource_version: 1,
        })
        .onConflict((oc) => oc.columns(['kind', 'namespace', 'name']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new PloydError('E_ALREADY_EXISTS', `${describeKey(key)} already exists`, { resource: describeKey(key) });
      return toRecord(row);
    },

    async update(key, expectedVersion, values) {
      const row = await db
        .updateTable('resources')
        .set((eb) => ({
          api_version: values.apiVersion,
          spec: json(values.spec),
          manifest: json(values.manifest),
          labels: json(values.labels ?? {}),
          ...(values.application !== undefined ? { application: values.application } : {}),
          hash: values.hash,
          resource_version: eb('resource_version', '+', 1),
          updated_at: new Date(),
        }))
        .where('kind', '=', key.kind)
        .where('namespace', '=', key.namespace)
        .where('name', '=', key.name)
        .where('resource_version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (row) return toRecord(row);
      const current = await repo.get(key);
      throw casFailure(describeKey(key), expectedVersion, current?.resourceVersion);
    },

    async delete(key, expectedVersion) {
      let q = db.deleteFrom('resources').where('kind', '=', key.kind).where('namespace', '=', key.namespace).where('name', '=', key.name);
      if (expectedVersion !== undefined) q = q.where('resource_version', '=', expectedVersion);
      const row = await q.returningAll().executeTakeFirst();
      if (row) return toRecord(row);
      const current = await repo.get(key);
      throw casFailure(describeKey(key), expectedVersion ?? 0, current?.resourceVersion);
    },
  };
  return repo;
}
