import { type Command } from 'commander';
import { effectiveRules } from '../../resources/index.ts';
import type { StoredRoute } from '../../sdk/index.ts';
import type { RegisterCommand } from '../context.ts';
import { collect, print, when, withClient, withClientOptions, type ClientFlags } from './client-options.ts';

type Flags = ClientFlags & { namespace?: string };

function row(r: StoredRoute): Record<string, unknown> {
  const backends = effectiveRules(r.resource).flatMap((rule) => rule.backends.map((b) => `${b.name}:${b.weight}`));
  return {
    namespace: r.namespace,
    name: r.name,
    path: r.resource.spec.path,
    strategy: r.resource.spec.routing.strategy,
    backends: backends.join(','),
    version: r.resourceVersion,
    updated: when(r.updatedAt),
  };
}

const COLUMNS = ['namespace', 'name', 'path', 'strategy', 'backends', 'version', 'updated'];

/**
 * `ployd routes list|get`: GatewayRoutes through the control-plane API.
 *
 * @example
 * ployd routes list
 * ployd routes get chat-api-v2 -o json
 */
export const registerRoutes: RegisterCommand = (program) => {
  const routes = program.command('routes').description('Gateway routes (AIGateway)');
  const ns = (c: Command): Command => c.option('-n, --namespace <namespace>', 'environment namespace');

  withClientOptions(ns(routes.command('list').description('List gateway routes'))).action((flags: Flags) =>
    withClient(flags, async (client, format) => {
      const items = await collect((cursor, limit) =>
        client.aiGateway.listRoutes({ limit, ...(cursor !== undefined ? { cursor } : {}), ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) }),
      );
      print(format === 'table' ? items.map(row) : items, format, COLUMNS);
    }),
  );

  withClientOptions(ns(routes.command('get').argument('<name>').description('Show a gateway route'))).action((name: string, flags: Flags) =>
    withClient(flags, async (client, format) => {
      const r = await client.aiGateway.getRoute({ name, ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) });
      print(format === 'table' ? row(r) : r, format, COLUMNS);
    }),
  );
};
