import { createRequire } from 'node:module';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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

/** True when `dir` is missing or empty: PGlite would run initdb there. */
async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Creates a PGlite in memory (`memory://…`) or on a data directory. Creating a new database runs
 * initdb in a second WebAssembly instance (~500 MB of transient memory, part of it kept until the
 * next full GC, and seconds of CPU, every time); the data directory initdb produces is the same
 * each time, so the first creation saves it (gzip tarball, ~4.5 MB, in `dir`, keyed by PGlite
 * version) and later ones load it (PGlite's `loadDataDir`, which skips initdb). A data directory
 * that already holds a database is opened as it is; the template is only used for a missing or
 * empty one. A missing, unreadable or unloadable template falls back to initdb and is written
 * again: a fresh machine works as before, only without the saving the first time.
 */
export async function createPGlite(dataDir: string, startParams: string[], log: Logger, dir?: string): Promise<PGlite> {
  const memory = dataDir.startsWith('memory://');
  // A directory that holds anything is left to PGlite (resume, or its own error): never overwritten.
  const fresh = memory || (await isEmptyDir(dataDir));
  const path = templatePath(dir);
  const template = fresh ? await readTemplate(path) : undefined;
  if (template) {
    try {
      return await PGlite.create({ dataDir, startParams, loadDataDir: new Blob([template]) });
    } catch (err) {
      log.warn({ err: (err as Error).message, path }, 'cannot load the PGlite template: running initdb');
      await rm(path, { force: true });
      // The directory was empty before: what the failed load left there is removed, nothing else.
      if (!memory) for (const entry of await readdir(dataDir).catch(() => [])) await rm(join(dataDir, entry), { recursive: true, force: true });
    }
  }
  const pglite = await PGlite.create({ dataDir, startParams });
  if (!fresh) return pglite;
  try {
    const dump = await pglite.dumpDataDir('gzip');
    // Written aside and renamed: a concurrent reader sees the whole file or none.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    log.warn({ err: (err as Error).message, path }, 'cannot save the PGlite template (the next new store runs initdb again)');
  }
  return pglite;
}
