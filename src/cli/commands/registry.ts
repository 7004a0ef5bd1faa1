import { z } from 'zod';
import { PloydError } from '../../errors/index.ts';
import { RegistryStageSchema, type ModelVersion } from '../../sdk/index.ts';
import type { RegisterCommand } from '../context.ts';
import { CLI_ACTOR, collect, parseArg, print, when, withClient, withClientOptions, type ClientFlags } from './client-options.ts';

function versionRow(v: ModelVersion): Record<string, unknown> {
  return {
    name: v.name,
    version: v.version,
    stage: v.stage,
    framework: v.framework,
    path: v.path,
    accuracy: v.metadata.accuracy,
    created: when(v.createdAt),
    by: v.createdBy,
  };
}
const VERSION_COLUMNS = ['name', 'version', 'stage', 'framework', 'path', 'accuracy', 'created', 'by'];

interface RegisterFlags extends ClientFlags {
  path: string;
  framework?: string;
  accuracy?: string;
  gpuMemory?: string;
  tag?: string[];
  description?: string;
  metadata?: string;
  stage?: string;
}

const collectValues = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `ployd registry register|list|get|stage`: the ModelRegistry through the control-plane API.
 *
 * @example
 * ployd registry register llama-7b-chat v2.1 --path s3://company-models/llama-7b-chat-v2.1 --framework vllm \
 *   --accuracy 0.92 --gpu-memory 14GB --tag production-ready
 * ployd registry stage llama-7b-chat v2.1 production
 */
export const registerRegistry: RegisterCommand = (program) => {
  const registry = program.command('registry').description('Model registry: versions, stages, lineage');

  withClientOptions(
    registry
      .command('register')
      .description('Register a model version')
      .argument('<name>')
      .argument('<version>')
      .requiredOption('--path <uri>', 'where the weights live (s3://, hf://, a local path)')
      .option('--framework <framework>', 'vllm, llama.cpp, tgi, ollama, simulator or command')
      .option('--accuracy <number>', 'metadata.accuracy (0..1)')
      .option('--gpu-memory <size>', 'metadata.gpu_memory, e.g. 14GB')
      .option('--tag <tag>', 'metadata.tags (repeatable)', collectValues)
      .option('--description <text>', 'metadata.description')
      .option('--metadata <json>', 'more metadata as a JSON object')
      .option('--stage <stage>', 'initial stage: none, staging, production or archived'),
  ).action((name: string, version: string, flags: RegisterFlags) =>
    withClient(flags, async (client, format) => {
      let extra: Record<string, unknown> = {};
      if (flags.metadata !== undefined) {
        try {
          extra = parseArg(z.record(z.string(), z.unknown()), JSON.parse(flags.metadata), '--metadata');
        } catch (err) {
          if (err instanceof PloydError) throw err;
          throw new PloydError('E_USAGE', `--metadata: not JSON: ${(err as Error).message}`, { flag: '--metadata' });
        }
      }
      const metadata = {
        ...extra,
        ...(flags.accuracy !== undefined ? { accuracy: parseArg(z.coerce.number().min(0).max(1), flags.accuracy, '--accuracy') } : {}),
        ...(flags.gpuMemory !== undefined ? { gpu_memory: flags.gpuMemory } : {}),
        ...(flags.tag !== undefined ? { tags: flags.tag } : {}),
        ...(flags.description !== undefined ? { description: flags.description } : {}),
      };
      const v = await client.modelRegistry.registerModel(
        {
          name,
          version,
          path: flags.path,
          metadata,
          ...(flags.framework !== undefined ? { framework: flags.framework as 'vllm' } : {}),
          ...(flags.stage !== undefined ? { stage: parseArg(RegistryStageSchema, flags.stage, '--stage') } : {}),
        },
        CLI_ACTOR,
      );
      print(format === 'table' ? versionRow(v) : v, format, VERSION_COLUMNS);
    }),
  );

  withClientOptions(registry.command('list').description('List registered models')).action((flags: ClientFlags) =>
    withClient(flags, async (client, format) => {
      const items = await collect((cursor, limit) => client.modelRegistry.listModels({ limit, ...(cursor !== undefined ? { cursor } : {}) }));
      print(
        format === 'table'
          ? items.map((m) => ({ name: m.name, latest: m.latestVersion ?? '', production: m.productionVersion ?? '', versions: m.versionCount, updated: when(m.updatedAt) }))
          : items,
        format,
        ['name', 'latest', 'production', 'versions', 'updated'],
      );
    }),
  );

  withClientOptions(
    registry.command('get').description('Show a registered model and its versions, or one version').argument('<name>').argument('[version]'),
  ).action((name: string, version: string | undefined, flags: ClientFlags) =>
    withClient(flags, async (client, format) => {
      if (version !== undefined) {
        const v = await client.modelRegistry.getVersion(name, version);
        print(format === 'table' ? versionRow(v) : v, format, VERSION_COLUMNS);
        return;
      }
      const model = await client.modelRegistry.getModel(name);
      const versions = await collect((cursor, limit) => client.modelRegistry.listVersions(name, { limit, ...(cursor !== undefined ? { cursor } : {}) }));
      print(format === 'table' ? versions.map(versionRow) : { model, versions }, format, VERSION_COLUMNS);
    }),
  );

  withClientOptions(
    registry.command('stage').description('Move a version to a stage').argument('<name>').argument('<version>').argument('<stage>', 'none, staging, production or archived'),
  ).action((name: string, version: string, stage: string, flags: ClientFlags) =>
    withClient(flags, async (client, format) => {
      const v = await client.modelRegistry.setStage(name, version, parseArg(RegistryStageSchema, stage, '<stage>'), CLI_ACTOR);
      print(format === 'table' ? versionRow(v) : v, format, VERSION_COLUMNS);
    }),
  );
};
