import { z } from 'zod';
import { formatDiagnostic, PloydError } from '../../errors/index.ts';
import type { RegisterCommand } from '../context.ts';
import { toSarif } from '../sarif.ts';

const Options = z.object({
  env: z.string().min(1).optional(),
  output: z.enum(['text', 'json', 'sarif']).default('text'),
});

/**
 * `ployd validate [DIR] [--env E] [--output text|json|sarif]`: schema, semantics, policies and
 * secrets. Exit 0 when clean (warnings allowed), 1 with error findings, 2 on usage or I/O errors.
 *
 * @example
 * ployd validate examples/quickstart --env production
 */
export const registerValidate: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .description('validate a config repo: schemas, references, policies, secrets')
    .argument('[dir]', 'config repo folder', '.')
    .option('-e, --env <name>', 'validate what this environment gets (default: every environment)')
    .option('-o, --output <format>', 'text | json | sarif', 'text')
    .action(async (dir: string, raw: unknown) => {
      // Loaded on use so `ployd --help` and other commands start fast.
      const { validateRepo } = await import('../repo-pipeline.ts');
      const parsed = Options.safeParse(raw);
      if (!parsed.success) throw new PloydError('E_USAGE', `--output must be text, json or sarif`);
      const opts = parsed.data;
      const result = validateRepo(dir, opts.env);
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
      const resources = result.views.reduce((n, v) => n + v.resources.length, 0);
      const envs = result.views.map((v) => v.environment ?? '(all)');
      if (opts.output === 'json') {
        process.stdout.write(JSON.stringify({ environments: envs, resources, errors, warnings, diagnostics: result.diagnostics }, null, 2) + '\n');
      } else if (opts.output === 'sarif') {
        process.stdout.write(JSON.stringify(toSarif(result.diagnostics), null, 2) + '\n');
      } else {
        for (const d of result.diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
        process.stdout.write(
          `${errors === 0 ? 'valid' : 'invalid'}: ${resources} resources in ${envs.join(', ')}; ${errors} error(s), ${warnings} warning(s)\n`,
        );
      }
      ctx.setExitCode(errors > 0 ? 1 : 0);
    });
};
