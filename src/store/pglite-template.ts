import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PloydError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { extractTarGz } from './tar-extract.ts';

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

/** Whether a template is at `path`, written by this user: one planted in a shared tmp dir would be someone else's database. */
async function ownTemplate(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    return s.isFile() && (!process.getuid || s.uid === process.getuid());
  } catch {
    return false;
  }
}

async function readTemplate(path: string): Promise<Buffer | undefined> {
  return (await ownTemplate(path)) ? await readFile(path).catch(() => undefined) : undefined;
}

/** Removes everything in `dir` (which was empty before a failed load: nothing else is touched). */
async function emptyDir(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [])) await rm(join(dir, entry), { recursive: true, force: true });
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
 * version) and later ones load it instead of running initdb: a data directory on disk gets it
 * unpacked into it and is opened as an existing database; an in-memory one gets it through
 * PGlite's `loadDataDir`. A data directory that already holds a database is opened as it is; the
 * template is only used for a missing or empty one; a directory holding other files and no
 * database is refused (initdb would write a database among them). A missing, unreadable or
 * unloadable template falls back to initdb and is written again: a fresh machine works as before,
 * only without the saving the first time.
 */
export async function createPGlite(dataDir: string, startParams: string[], log: Logger, dir?: string): Promise<PGlite> {
  const memory = dataDir.startsWith('memory://');
  // A directory that holds a database is resumed by PGlite: never overwritten.
  const fresh = memory || (await isEmptyDir(dataDir));
  if (!fresh && !(await stat(join(dataDir, 'PG_VERSION')).then((st) => st.isFile(), () => false))) {
    throw new PloydError('E_STORE', `${dataDir} is neither an empty directory nor a database (no PG_VERSION): give the store a new or empty directory`, { dataDir });
  }
  const path = templatePath(dir);
  if (fresh && !memory && (await ownTemplate(path))) {
    // On disk: the template is unpacked into the directory, streaming, and PGlite opens it as an
    // existing database (loadDataDir would hold the whole archive in memory, see tar-extract.ts).
    try {
      await mkdir(dataDir, { recursive: true });
      await extractTarGz(path, dataDir);
      return await PGlite.create({ dataDir, startParams });
    } catch (err) {
      log.warn({ err: (err as Error).message, path }, 'cannot load the PGlite template: running initdb');
      await rm(path, { force: true });
      await emptyDir(dataDir);
    }
  }
  const template = fresh && memory ? await readTemplate(path) : undefined;
  if (template) {
    try {
      return await PGlite.create({ dataDir, startParams, loadDataDir: new Blob([template]) });
    } catch (err) {
      log.warn({ err: (err as Error).message, path }, 'cannot load the PGlite template: running initdb');
      await rm(path, { force: true });
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
