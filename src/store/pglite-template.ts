import { createRequire } from 'node:module';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../log/index.ts';

/** PGlite's version: a template made by another version is never loaded. */
function pgliteVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@electric-sql/pglite'); // …/pglite/dist/index.cjs
    const pkg = require(join(dirname(dirname(entry)), 'package.json')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Where the template of this PGlite version lives (per user: /tmp is shared). */
export function templatePath(dir: string = tmpdir()): string {
  return join(dir, `ployd-pglite-template-${pgliteVersion()}-${process.getuid?.() ?? 'u'}.tar.gz`);
}

async function readTemplate(path: string): Promise<Buffer | undefined> {
  try {
    const s = await stat(path);
    // Only a file this user wrote: a template planted in a shared tmp dir would be someone else's database.
    if (process.getuid && s.uid !== process.getuid()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * Creates an in-memory PGlite. Creating one runs initdb in a second WebAssembly instance (~630 MB
 * of transient memory and seconds of CPU, every time); the data directory initdb produces is the
 * same each time, so the first creation saves it (gzip tarball, ~4.5 MB, in `dir`, keyed by PGlite
 * version) and later ones load it (PGlite's `loadDataDir`, which skips initdb). A missing,
 * unreadable or unloadable template falls back to initdb and is written again: a fresh machine
 * works as before, only without the saving the first time.
 */
export async function createMemoryPGlite(dataDir: string, startParams: string[], log: Logger, dir?: string): Promise<PGlite> {
  const path = templatePath(dir);
  const template = await readTemplate(path);
  if (template) {
    try {
      return await PGlite.create({ dataDir, startParams, loadDataDir: new Blob([template]) });
    } catch (err) {
      log.warn({ err: (err as Error).message, path }, 'cannot load the PGlite template: running initdb');
      await rm(path, { force: true });
    }
  }
  const pglite = await PGlite.create({ dataDir, startParams });
  try {
    const dump = await pglite.dumpDataDir('gzip');
    // Written aside and renamed: a concurrent reader sees the whole file or none.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    log.warn({ err: (err as Error).message, path }, 'cannot save the PGlite template (next in-memory store runs initdb again)');
  }
  return pglite;
}
