import { z } from 'zod';
import { ViaSchema } from '../../sdk/index.ts';
import type { RegisterCommand } from '../context.ts';
import { collect, parseArg, print, when, withClient, withClientOptions, type ClientFlags } from './client-options.ts';

interface AuditFlags extends ClientFlags {
  limit: string;
  subject?: string;
  action?: string;
  resource?: string;
  via?: string;
}

/**
 * `ployd audit`: who changed what, when and through what, newest first.
 *
 * @example
 * ployd audit --limit 20
 * ployd audit --resource ModelDeployment/production/ -o json
 */
export const registerAudit: RegisterCommand = (program) => {
  withClientOptions(
    program
      .command('audit')
      .description('The audit log, newest first')
      .option('--limit <n>', 'how many entries', '50')
      .option('--subject <subject>', 'only changes by this subject')
      .option('--action <action>', 'only this action, e.g. model.deploy')
      .option('--resource <prefix>', 'only resources starting with this, e.g. ModelDeployment/production/')
      .option('--via <via>', 'api, gitops, cli, controller or system'),
  ).action((flags: AuditFlags) =>
    withClient(flags, async (client, format) => {
      const max = parseArg(z.coerce.number().int().min(1).max(100_000), flags.limit, '--limit');
      const filter = {
        ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
        ...(flags.action !== undefined ? { action: flags.action } : {}),
        ...(flags.resource !== undefined ? { resource: flags.resource } : {}),
        ...(flags.via !== undefined ? { via: parseArg(ViaSchema, flags.via, '--via') } : {}),
      };
      const items = await collect((cursor, limit) => client.audit.list({ ...filter, limit, ...(cursor !== undefined ? { cursor } : {}) }), max);
      print(
        format === 'table'
          ? items.map((e) => ({ id: e.id, time: when(e.at), subject: e.subject, via: e.via, action: e.action, resource: e.resource, commit: e.commit ?? '' }))
          : items,
        format,
        ['id', 'time', 'subject', 'via', 'action', 'resource', 'commit'],
      );
    }),
  );
};
