import { z } from 'zod';
import { formatDiagnostic, PloydError } from '../../errors/index.ts';
import type { RegisterCommand } from '../context.ts';
import { toSarif } from '../sarif.ts';

const Options = z.object({
  env: z.string().min(1).optional(),
  output: z.enum(['text', 'json', 'sarif']).default('text'),
  threads: z.coerce.number().int().min(1).optional(),
});

/**
 * `ployd validate [DIR] [--env E] [--output text|json|sarif] [--threads N]`: schema, semantics, policies and
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
    .option('--threads <n>', 'threads: 1 = one thread, 2 = a worker thread too (default: by repo size; env PLOYD_THREADS)')
    .action(async (dir: string, raw: unknown) => {
      // Loaded on use so `ployd --help` and other commands start fast.
      const { summarizeRepo } = await import('../validate-parallel.ts');
      const input = { ...(raw as Record<string, unknown>) };
      if (input.threads === undefined && process.env.PLOYD_THREADS) input.threads = process.env.PLOYD_THREADS;
      const parsed = Options.safeParse(input);
      if (!parsed.success) {
        const flag = parsed.error.issues[0]?.path[0] === 'threads' ? '--threads (or PLOYD_THREADS) must be a whole number ≥ 1' : '--output must be text, json or sarif';
        throw new PloydError('E_USAGE', flag);
      }
      const opts = parsed.data;
      const result = await summarizeRepo(dir, opts.env, opts.threads !== undefined ? { threads: opts.threads } : {});
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
      const resources = result.resources;
      const envs = result.environments.map((e) => e ?? '(all)');
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
