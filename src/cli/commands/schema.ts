import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PloydError } from '../../errors/index.ts';
import { allJsonSchemas, KINDS, kindJsonSchema, suggest } from '../../resources/index.ts';
import type { RegisterCommand } from '../context.ts';

/**
 * `ployd schema [KIND]`: JSON Schema of a kind for editors (yaml-language-server), or the list of
 * kinds. `--write DIR` writes every schema, as the committed `schemas/` folder holds them.
 *
 * @example
 * ployd schema ModelDeployment > model-deployment.schema.json
 */
export const registerSchema: RegisterCommand = (program) => {
  program
    .command('schema')
    .description('print the JSON Schema of a kind (or list kinds)')
    .argument('[kind]', 'kind name (ModelDeployment) or apiVersion/kind')
    .option('--write <dir>', 'write every kind\'s schema into this folder')
    .action((kind: string | undefined, opts: { write?: string }) => {
      if (opts.write !== undefined) {
        mkdirSync(opts.write, { recursive: true });
        for (const [file, schema] of allJsonSchemas()) writeFileSync(join(opts.write, file), JSON.stringify(schema, null, 2) + '\n');
        process.stdout.write(`wrote ${KINDS.length} schemas to ${opts.write}\n`);
        return;
      }
      if (kind === undefined) {
        for (const k of KINDS) process.stdout.write(`${k.apiVersion.padEnd(28)} ${k.kind.padEnd(18)} ${k.summary}\n`);
        return;
      }
      const matches = KINDS.filter((k) => k.kind === kind || `${k.apiVersion}/${k.kind}` === kind);
      // Application exists in both ployd.ai/v1 and argoproj.io: a bare kind name means PloyD's own.
      const entry = matches.find((k) => k.apiVersion === 'ployd.ai/v1') ?? matches[0];
      if (!entry) {
        const s = suggest(kind, KINDS.map((k) => k.kind));
        throw new PloydError('E_UNKNOWN_KIND', `unknown kind ${kind}${s ? `; did you mean ${s}?` : ''}`, { kind });
      }
      process.stdout.write(JSON.stringify(kindJsonSchema(entry), null, 2) + '\n');
    });
};
