import { ActorSchema } from '../schemas.ts';
import { parseInput } from './validate.ts';
import type { NewAuditRecord, Repositories } from '../../store/index.ts';
import type { Actor } from '../types.ts';

/** The audit row of a change by `actor`. */
export function auditEntry(actor: Actor, action: string, resource: string, before: unknown, after: unknown): NewAuditRecord {
  return {
    subject: actor.subject,
    groups: actor.groups,
    via: actor.via,
    action,
    resource,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
    ...(actor.commit !== undefined ? { commit: actor.commit } : {}),
  };
}

/** Writes the audit row of a change; call inside the change's transaction. */
export async function audit(
  tx: Repositories,
  actor: Actor,
  action: string,
  resource: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await tx.audit.append(auditEntry(actor, action, resource, before, after));
}

/** Every mutating call checks its actor first: a malformed actor would make a useless audit row. */
export function checkActor(actor: Actor): void {
  parseInput(ActorSchema, actor, 'actor');
}
