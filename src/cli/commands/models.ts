import { type Command } from 'commander';
import { desiredReplicas, servedModelName } from '../../resources/index.ts';
import type { StoredModelDeployment } from '../../sdk/index.ts';
import type { RegisterCommand } from '../context.ts';
import { CLI_ACTOR, collect, IntArg, parseArg, print, when, withClient, withClientOptions, type ClientFlags } from './client-options.ts';

type Flags = ClientFlags & { namespace?: string };

function row(m: StoredModelDeployment): Record<string, unknown> {
  return {
    namespace: m.namespace,
    name: m.name,
    model: servedModelName(m.resource),
    framework: m.resource.spec.model.framework,
    replicas: desiredReplicas(m.resource),
    version: m.resourceVersion,
    updated: when(m.updatedAt),
  };
}

const COLUMNS = ['namespace', 'name', 'model', 'framework', 'replicas', 'version', 'updated'];

/**
 * `ployd models list|get|scale`: ModelDeployments through the control-plane API.
 *
 * @example
 * ployd models list -n production
 * ployd models get llama-7b-chat -n production -o yaml
 * ployd models scale llama-7b-chat 4 -n staging
 */
export const registerModels: RegisterCommand = (program) => {
  const models = program.command('models').description('Model deployments (ModelServing)');
  const ns = (c: Command): Command => c.option('-n, --namespace <namespace>', 'environment namespace');

  withClientOptions(ns(models.command('list').description('List model deployments'))).action((flags: Flags) =>
    withClient(flags, async (client, format) => {
      const items = await collect((cursor, limit) =>
        client.modelServing.listModels({ limit, ...(cursor !== undefined ? { cursor } : {}), ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) }),
      );
      print(format === 'table' ? items.map(row) : items, format, COLUMNS);
    }),
  );

  withClientOptions(ns(models.command('get').argument('<name>').description('Show a model deployment and its status'))).action((name: string, flags: Flags) =>
    withClient(flags, async (client, format) => {
      const ref = { name, ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) };
      const [m, status] = await Promise.all([client.modelServing.getModel(ref), client.modelServing.getStatus(ref)]);
      if (format === 'table') {
        print({ ...row(m), health: status.health, ready: `${status.readyReplicas}/${status.desiredReplicas}`, message: status.message ?? '' }, format, [
          ...COLUMNS,
          'health',
          'ready',
          'message',
        ]);
      } else print({ ...m, status }, format);
    }),
  );

  withClientOptions(ns(models.command('scale').argument('<name>').argument('<replicas>').description('Set the desired replica count'))).action(
    (name: string, replicas: string, flags: Flags) =>
      withClient(flags, async (client, format) => {
        const n = parseArg(IntArg, replicas, '<replicas>');
        const ref = { name, ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) };
        const m = await client.modelServing.scaleModel(ref, n, CLI_ACTOR);
        print(format === 'table' ? row(m) : m, format, COLUMNS);
      }),
  );
};
