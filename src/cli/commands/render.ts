import { stringify } from 'yaml';
import { z } from 'zod';
import { formatDiagnostic, PloydError } from '../../errors/index.ts';
import type { RegisterCommand } from '../context.ts';

const Options = z.object({
  env: z.string().min(1),
  output: z.enum(['yaml', 'json']).default('yaml'),
  keepOriginal: z.boolean().default(false),
  target: z.enum(['ployd', 'kubernetes']).default('ployd'),
  namespace: z.string().min(1).optional(),
  autoscaler: z.enum(['hpa', 'keda']).default('hpa'),
  gpusPerNode: z.coerce.number().int().min(1).default(8),
});

/**
 * `ployd render [DIR] --env E`: the final resources an environment gets, after kustomize and
 * conversion (llm-d and Argo CD kinds shown as ployd kinds unless --keep-original). Refuses to
 * render a repo with error findings (exit 1), so what it prints is always what would be applied.
 *
 * @example
 * ployd render examples/llm-gitops-config --env production --output json
 */
export const registerRender: RegisterCommand = (program, ctx) => {
  program
    .command('render')
    .description('print the final resources of an environment')
    .argument('[dir]', 'config repo folder', '.')
    .requiredOption('-e, --env <name>', 'environment to render')
    .option('-o, --output <format>', 'yaml | json', 'yaml')
    .option('--keep-original', 'show converted kinds (LLMDeployment, Argo CD) as written')
    .option('-t, --target <target>', 'ployd (resources as PloyD reads them) | kubernetes (Deployment, Service, HPA, PDB, …)', 'ployd')
    .option('--namespace <ns>', 'kubernetes target: namespace of every object (default: the resource\'s, else the environment)')
    .option('--autoscaler <kind>', 'kubernetes target: hpa | keda', 'hpa')
    .option('--gpus-per-node <n>', 'kubernetes target: GPUs per node; replicas needing more become a LeaderWorkerSet', '8')
    .action(async (dir: string, raw: unknown) => {
      // Loaded on use so `ployd --help` and other commands start fast.
      const { validateRepo } = await import('../repo-pipeline.ts');
      const parsed = Options.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new PloydError('E_USAGE', `--${String(issue?.path[0] ?? 'option')}: ${issue?.message ?? 'invalid'}`);
      }
      const opts = parsed.data;
      const result = validateRepo(dir, opts.env);
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
        process.stderr.write(`not rendered: ${errors.length} error(s)\n`);
        ctx.setExitCode(1);
        return;
      }
      const resources = result.views[0]?.resources ?? [];
      let docs: unknown[] = resources.map((r) => (opts.keepOriginal ? (r.parsed.original ?? r.parsed.manifest) : r.parsed.manifest));
      if (opts.target === 'kubernetes') {
        const { renderKubernetes } = await import('../../runtime/kubernetes/index.ts');
        docs = renderKubernetes(
          resources.map((r) => r.parsed.resource),
          { namespace: opts.namespace ?? opts.env, autoscaler: opts.autoscaler, gpusPerNode: opts.gpusPerNode },
        );
      }
      if (opts.output === 'json') process.stdout.write(JSON.stringify(docs, null, 2) + '\n');
      else process.stdout.write(docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
    });
};
