import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Versioned, forward-only migrations, kept in code so the single binary needs no migration files
 * on disk. Names sort lexically (`0001_...`), and a migration is never edited once released: a
 * change is a new migration. Applied at open by the Kysely Migrator and recorded in
 * `ployd_migrations`.
 */

// Migrations must not depend on the evolving Database type: they see the schema as it was.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const now = sql`now()`;

async function m0001Initial(db: AnyDb): Promise<void> {
  const objectVersioned = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('resource_version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now));

  await objectVersioned('resources')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('manifest', 'jsonb', (c) => c.notNull())
    .addColumn('labels', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('application', 'text')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resources_pk', ['kind', 'namespace', 'name'])
    .execute();
  await db.schema.createIndex('resources_application_idx').on('resources').column('application').execute();

  await db.schema
    .createTable('live_resources')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'jsonb')
    .addColumn('resource_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('live_resources_pk', ['kind', 'namespace', 'name'])
    .execute();

  await db.schema
    .createTable('deployment_status')
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('health', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('desired_replicas', 'integer', (c) => c.notNull())
    .addColumn('ready_replicas', 'integer', (c) => c.notNull())
    .addColumn('replicas', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('runtime', 'text')
    .addColumn('observed_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('deployment_status_pk', ['namespace', 'name'])
    .execute();

  await db.schema
    .createTable('canary_state')
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('resource_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('canary_state_pk', ['namespace', 'name'])
    .execute();

  await objectVersioned('applications')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('environment', 'text')
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('manifest', 'jsonb', (c) => c.notNull())
    .addColumn('sync_status', 'text', (c) => c.notNull().defaultTo('Unknown'))
    .addColumn('health_status', 'text', (c) => c.notNull().defaultTo('Unknown'))
    .addColumn('revision', 'text')
    .addColumn('operation', 'jsonb')
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sync_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('application', 'text', (c) => c.notNull().references('applications.name').onDelete('cascade'))
    .addColumn('revision', 'text')
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('initiated_by', 'text', (c) => c.notNull())
    .addColumn('resources', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sync_history_app_idx').on('sync_history').columns(['application', 'id']).execute();

  await objectVersioned('registry_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await objectVersioned('registry_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model_id', 'text', (c) => c.notNull().references('registry_models.id').onDelete('cascade'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('framework', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('none').check(sql`stage in ('none', 'staging', 'production', 'archived')`))
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('registry_versions_model_version_uq', ['model_id', 'version'])
    .execute();
  // The database itself guarantees at most one production version per model, whatever the code does.
  await db.schema
    .createIndex('registry_versions_one_production_uq')
    .on('registry_versions')
    .column('model_id')
    .unique()
    .where(sql.ref('stage'), '=', 'production')
    .execute();

  await db.schema
    .createTable('deployment_tracking')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('deployment', 'text')
    .addColumn('commit', 'text')
    .addColumn('deployed_by', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('deployment_tracking_model_idx').on('deployment_tracking').columns(['model', 'started_at']).execute();
  // One open span per model and environment.
  await db.schema
    .createIndex('deployment_tracking_open_uq')
    .on('deployment_tracking')
    .columns(['model', 'environment'])
    .unique()
    .where(sql.ref('ended_at'), 'is', null)
    .execute();

  await objectVersioned('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('routes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('tiers', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('rpm', 'integer')
    .addColumn('tpm', 'integer')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await objectVersioned('users')
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text')
    .addColumn('groups', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await objectVersioned('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('groups', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await objectVersioned('rbac_policies')
    .addColumn('project', 'text', (c) => c.primaryKey())
    .addColumn('lines', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('groups', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('commit', 'text')
    .execute();
  await db.schema.createIndex('audit_log_resource_idx').on('audit_log').columns(['resource', 'id']).execute();
  await db.schema.createIndex('audit_log_subject_idx').on('audit_log').columns(['subject', 'id']).execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('namespace', 'text')
    .addColumn('name', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_object_idx').on('events').columns(['kind', 'namespace', 'name', 'id']).execute();

  await db.schema
    .createTable('metric_samples')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('labels', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('metric_samples_name_at_idx').on('metric_samples').columns(['name', 'at']).execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
}

/** Every migration PloyD knows, in order. Append only. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': { up: m0001Initial },
};

export class InCodeMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({ ...MIGRATIONS });
  }
}

export const MIGRATION_TABLE = 'ployd_migrations';
export const MIGRATION_LOCK_TABLE = 'ployd_migrations_lock';
