import { sql, type Kysely } from 'kysely';
import { PloydError } from '../../errors/index.ts';
import { decodeCursor, json, pageLimit, toDate, toPage, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';
import type { NewAuditRecord } from './audit.ts';

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
  /**
   * Like create, and appends `audit` in the same statement (a data-modifying CTE): one round trip
   * instead of begin / write / audit / commit, and still all-or-nothing — the audit row is inserted
   * only from the row the write returned, so a refused write records nothing.
   */
  createAudited(key: ResourceKey, values: ResourceValues, audit: NewAuditRecord): Promise<ResourceRecord>;
  /** Like update (compare-and-set), with `audit` appended in the same statement as createAudited. */
  updateAudited(key: ResourceKey, expectedVersion: number, values: ResourceValues, audit: NewAuditRecord): Promise<ResourceRecord>;
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

const jsonb = (v: unknown) => sql`cast(${v === undefined ? null : json(v)} as jsonb)`;

/** `insert into audit_log … select … from w`: one audit row per row the CTE `w` wrote (zero or one). */
function auditFromWritten(entry: NewAuditRecord) {
  return sql`insert into audit_log (subject, groups, via, action, resource, before, after, commit)
    select ${entry.subject}, ${jsonb(entry.groups)}, ${entry.via}, ${entry.action}, ${entry.resource}, ${jsonb(entry.before)}, ${jsonb(entry.after)}, ${entry.commit ?? null}::text from w`;
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

    async createAudited(key, values, audit) {
      const { rows } = await sql<Row<'resources'>>`with w as (
          insert into resources (kind, namespace, name, api_version, spec, manifest, labels, application, hash, resource_version)
          values (${key.kind}, ${key.namespace}, ${key.name}, ${values.apiVersion}, ${jsonb(values.spec)}, ${jsonb(values.manifest)},
                  ${jsonb(values.labels ?? {})}, ${values.application ?? null}::text, ${values.hash}, 1)
          on conflict (kind, namespace, name) do nothing
          returning *
        ), a as (${auditFromWritten(audit)})
        select * from w`.execute(db);
      const row = rows[0];
      if (!row) throw new PloydError('E_ALREADY_EXISTS', `${describeKey(key)} already exists`, { resource: describeKey(key) });
      return toRecord(row);
    },

    async updateAudited(key, expectedVersion, values, audit) {
      const application = values.application !== undefined ? sql`${values.application}::text` : sql.ref('application');
      const { rows } = await sql<Row<'resources'>>`with w as (
          update resources set api_version = ${values.apiVersion}, spec = ${jsonb(values.spec)}, manifest = ${jsonb(values.manifest)},
                 labels = ${jsonb(values.labels ?? {})}, application = ${application}, hash = ${values.hash},
                 resource_version = resource_version + 1, updated_at = ${new Date()}
          where kind = ${key.kind} and namespace = ${key.namespace} and name = ${key.name} and resource_version = ${expectedVersion}
          returning *
        ), a as (${auditFromWritten(audit)})
        select * from w`.execute(db);
      const row = rows[0];
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
