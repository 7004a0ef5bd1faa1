import type { AuditRecord } from '../store/index.ts';
import type { SdkContext } from './internal/context.ts';
import { parseInput } from './internal/validate.ts';
import { AuditQuerySchema } from './schemas.ts';
import type { AuditEntry, AuditLog, AuditQuery, Page, Via } from './types.ts';

function toEntry(r: AuditRecord): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    subject: r.subject,
    groups: r.groups,
    via: r.via as Via,
    action: r.action,
    resource: r.resource,
    ...(r.before !== undefined && r.before !== null ? { before: r.before } : {}),
    ...(r.after !== undefined && r.after !== null ? { after: r.after } : {}),
    ...(r.commit !== null ? { commit: r.commit } : {}),
  };
}

/** The audit log: every change made through the SDK, who made it, before and after. */
export class AuditLogService implements AuditLog {
  readonly #ctx: SdkContext;

  constructor(ctx: SdkContext) {
    this.#ctx = ctx;
  }

  /**
   * Newest first, filtered by subject, action, resource prefix, channel and time.
   *
   * @example
   * const { items } = await ployd.audit.list({ resource: 'ModelDeployment/production/', limit: 20 });
   */
  async list(query: AuditQuery = {}): Promise<Page<AuditEntry>> {
    const q = parseInput(AuditQuerySchema, query, 'audit query');
    const page = await this.#ctx.store.audit.list(q);
    return { items: page.items.map(toEntry), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }
}
