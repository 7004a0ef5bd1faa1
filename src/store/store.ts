import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { withErrorMapping } from './errors.ts';
import { apiKeyRepository, type ApiKeyRepository } from './repositories/api-keys.ts';
import { applicationRepository, type ApplicationRepository } from './repositories/applications.ts';
import { auditRepository, type AuditRepository } from './repositories/audit.ts';
import { eventRepository, type EventRepository } from './repositories/events.ts';
import { liveStateRepository, type LiveStateRepository } from './repositories/live-state.ts';
import { metricRepository, type MetricRepository } from './repositories/metrics.ts';
import { rbacRepository, type RbacRepository } from './repositories/rbac.ts';
import { registryRepository, type RegistryRepository } from './repositories/registry.ts';
import { resourceRepository, type ResourceRepository } from './repositories/resources.ts';
import { settingsRepository, type SettingsRepository } from './repositories/settings.ts';
import { tokenRepository, type TokenRepository } from './repositories/tokens.ts';
import { trackingRepository, type TrackingRepository } from './repositories/tracking.ts';
import { userRepository, type UserRepository } from './repositories/users.ts';

/** Every repository, bound to one executor (the pool, or one transaction). */
export interface Repositories {
  readonly resources: ResourceRepository;
  readonly live: LiveStateRepository;
  readonly applications: ApplicationRepository;
  readonly registry: RegistryRepository;
  readonly tracking: TrackingRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly tokens: TokenRepository;
  readonly users: UserRepository;
  readonly rbac: RbacRepository;
  readonly audit: AuditRepository;
  readonly events: EventRepository;
  readonly metrics: MetricRepository;
  readonly settings: SettingsRepository;
}

export type StoreBackend = 'pglite' | 'postgres';

export interface MigrationInfo {
  readonly name: string;
  readonly executedAt?: Date;
}

/**
 * The narrow interface the SDK uses. Repositories on the Store itself run each statement on its
 * own; `transaction` gives the same repositories bound to one transaction, committed when the
 * callback resolves and rolled back when it throws (so a change and its audit row land together).
 */
export interface Store extends Repositories {
  readonly backend: StoreBackend;
  /** The Postgres schema the store's tables live in (`public` unless configured). */
  readonly schema: string;
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Applied migrations, in order. */
  migrations(): Promise<MigrationInfo[]>;
  close(): Promise<void>;
}

/** `guard` runs before every call (the root repositories use it to refuse use inside a transaction). */
export function bindRepositories(db: Kysely<Database>, guard?: () => void): Repositories {
  const m = <T extends object>(repo: T): T => withErrorMapping(repo, guard);
  return {
    resources: m(resourceRepository(db)),
    live: m(liveStateRepository(db)),
    applications: m(applicationRepository(db)),
    registry: m(registryRepository(db)),
    tracking: m(trackingRepository(db)),
    apiKeys: m(apiKeyRepository(db)),
    tokens: m(tokenRepository(db)),
    users: m(userRepository(db)),
    rbac: m(rbacRepository(db)),
    audit: m(auditRepository(db)),
    events: m(eventRepository(db)),
    metrics: m(metricRepository(db)),
    settings: m(settingsRepository(db)),
  };
}
