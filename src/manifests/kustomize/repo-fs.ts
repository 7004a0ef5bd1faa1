import * as nodeFs from 'node:fs';
import * as nodePath from 'node:path';
import { PloydError } from '../../errors/index.ts';

/** Read-only view of a config repo; paths are repo-relative POSIX paths. */
export interface RepoFs {
  /** Throws PloydError('E_FILE_NOT_FOUND') if missing. */
  readFile(path: string): string;
  isDirectory(path: string): boolean;
  exists(path: string): boolean;
  listDir(path: string): string[];
  /** Repo-relative real path after resolving symlinks; used to detect symlink escapes. */
  realPath?(path: string): string;
}

const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Normalises a repo-relative path; refuses anything that climbs above the root. */
export function normalizeRepoPath(path: string): string {
  const norm = nodePath.posix.normalize(path === '' ? '.' : path);
  if (norm === '..' || norm.startsWith('../') || nodePath.posix.isAbsolute(norm)) {
    throw new PloydError('E_PATH_ESCAPE', `path ${path} leaves the repository root`, { path });
  }
  return norm === '.' ? '' : norm.replace(/\/$/, '');
}

export function joinRepoPath(dir: string, rel: string): string {
  return normalizeRepoPath(dir === '' ? rel : `${dir}/${rel}`);
}

/**
 * Real disk, confined to `root`. A RepoFs is a snapshot view: resolved paths are remembered for
 * its lifetime (a render asks about the same bases many times), so make a new one to see changes.
 * The controller renders immutable per-commit trees, where that always holds.
 */
export function nodeRepoFs(root: string): RepoFs {
  const absRoot = nodeFs.realpathSync.native(nodePath.resolve(root));
  const abs = (p: string): string => nodePath.join(absRoot, normalizeRepoPath(p));
  const resolved = new Map<string, string | PloydError>();
  const realAbs = (p: string): string => {
    const full = abs(p);
    let real = resolved.get(full);
    if (real === undefined) {
      try {
        const r = nodeFs.realpathSync.native(full);
        real = r !== absRoot && !r.startsWith(absRoot + nodePath.sep) ? new PloydError('E_PATH_ESCAPE', `${p} resolves outside the repository root`, { file: p }) : r;
      } catch {
        real = full;
      }
      resolved.set(full, real);
    }
    if (real instanceof PloydError) throw real;
    return real;
  };
  return {
    readFile(p) {
      const full = realAbs(p);
      let stat: nodeFs.Stats;
      try {
        stat = nodeFs.statSync(full);
      } catch {
        throw new PloydError('E_FILE_NOT_FOUND', `${p} does not exist`, { file: p });
      }
      if (!stat.isFile()) throw new PloydError('E_FILE_NOT_FOUND', `${p} is not a file`, { file: p });
      if (stat.size > MAX_FILE_BYTES) {
        throw new PloydError('E_FILE_TOO_LARGE', `${p} is larger than 10 MB`, { file: p });
      }
      const buf = nodeFs.readFileSync(full);
      if (buf.includes(0)) throw new PloydError('E_BINARY_FILE', `${p} is a binary file`, { file: p });
      return buf.toString('utf8');
    },
    isDirectory(p) {
      try {
        return nodeFs.statSync(realAbs(p)).isDirectory();
      } catch (err) {
        if (err instanceof PloydError) throw err;
        return false;
      }
    },
    exists(p) {
      try {
        return nodeFs.existsSync(realAbs(p));
      } catch (err) {
        if (err instanceof PloydError) throw err;
        return false;
      }
    },
    listDir(p) {
      return nodeFs.readdirSync(realAbs(p)).sort();
    },
    realPath(p) {
      const real = realAbs(p);
      return nodePath.relative(absRoot, real).split(nodePath.sep).join('/');
    },
  };
}

/** In-memory tree for tests: keys are repo-relative file paths. */
export function memoryRepoFs(files: Readonly<Record<string, string>>): RepoFs {
  const dirs = new Set<string>(['']);
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return {
    readFile(p) {
      const n = normalizeRepoPath(p);
      const text = files[n];
      if (text === undefined) throw new PloydError('E_FILE_NOT_FOUND', `${p} does not exist`, { file: p });
      return text;
    },
    isDirectory: (p) => dirs.has(normalizeRepoPath(p)),
    exists: (p) => {
      const n = normalizeRepoPath(p);
      return dirs.has(n) || files[n] !== undefined;
    },
    listDir(p) {
      const n = normalizeRepoPath(p);
      const prefix = n === '' ? '' : `${n}/`;
      const out = new Set<string>();
      for (const f of [...Object.keys(files), ...dirs]) {
        if (f.startsWith(prefix) && f !== n) out.add(f.slice(prefix.length).split('/')[0] ?? '');
      }
      out.delete('');
      return [...out].sort();
    },
  };
}
