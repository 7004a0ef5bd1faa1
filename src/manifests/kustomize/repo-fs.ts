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
  /** What the snapshot has learnt so far, as plain data another thread can start from. */
  exportState?(): RepoFsState;
}

/**
 * A `nodeRepoFs` snapshot's knowledge as structured-cloneable data: every path it has looked at
 * (real location and kind; `escape` for a path resolving outside the root), the folders it
 * listed completely, and the texts it kept. `ployd validate` hands it to its worker thread so the
 * worker neither scans the repo again nor reads the files the main thread already read.
 */
export interface RepoFsState {
  readonly root: string;
  readonly entries: readonly (readonly [path: string, real: string, kind: 'file' | 'dir' | 'other' | 'missing' | 'escape'])[];
  readonly listed: readonly string[];
  readonly texts: readonly (readonly [path: string, text: string])[];
}

const MAX_FILE_BYTES = 10 * 1024 * 1024;
/**
 * Text a snapshot keeps of files it read when asked to (a one-shot `ployd validate` reads each
 * file for the secret scan, the scan and every environment's render). Off by default: the
 * controller keeps several snapshots open for its lifetime.
 */
const TEXT_CACHE_CHARS = 64 * 1024 * 1024;

// A path with no `.` or `..` segment, no doubled, leading or trailing slash is already normal.
const NOT_PLAIN = /(?:^|\/)\.{1,2}(?:\/|$)|\/\/|^\/|\/$|\\/;

/** Normalises a repo-relative path; refuses anything that climbs above the root. */
export function normalizeRepoPath(path: string): string {
  if (path !== '' && !NOT_PLAIN.test(path)) return path;
  const norm = nodePath.posix.normalize(path === '' ? '.' : path);
  if (norm === '..' || norm.startsWith('../') || nodePath.posix.isAbsolute(norm)) {
    throw new PloydError('E_PATH_ESCAPE', `path ${path} leaves the repository root`, { path });
  }
  return norm === '.' ? '' : norm.replace(/\/$/, '');
}

export function joinRepoPath(dir: string, rel: string): string {
  return normalizeRepoPath(dir === '' ? rel : `${dir}/${rel}`);
}

/** What a snapshot knows of one path: its real location and what is there. */
type Entry = { readonly real: string; readonly kind: 'file' | 'dir' | 'other' | 'missing' } | PloydError;

function kindOf(st: { isFile(): boolean; isDirectory(): boolean } | undefined): 'file' | 'dir' | 'other' | 'missing' {
  return st === undefined ? 'missing' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
}

/**
 * Real disk, confined to `root`. A RepoFs is a snapshot view: what it learns of a path (its real
 * location, whether it is a file or a folder) is remembered for its lifetime — a render asks
 * about the same bases many times — so make a new one to see changes. The controller renders
 * immutable per-commit trees, where that always holds.
 *
 * A path's real location is its parent's plus its name unless it is a symbolic link (only links
 * are resolved with realpath), and listing a folder tells the kind of each entry, so a scan of
 * the repo costs one readdir per folder instead of a realpath and a stat per file.
 */
export function nodeRepoFs(root: string, options: { keepTexts?: boolean; state?: RepoFsState } = {}): RepoFs {
  const textBudget = options.keepTexts ? TEXT_CACHE_CHARS : 0;
  const { state } = options;
  const absRoot = state ? state.root : nodeFs.realpathSync.native(nodePath.resolve(root));
  const abs = (p: string): string => nodePath.join(absRoot, p);
  const escape = (p: string): PloydError => new PloydError('E_PATH_ESCAPE', `${p} resolves outside the repository root`, { file: p });
  const entries = new Map<string, Entry>([['', { real: absRoot, kind: 'dir' }]]);
  const texts = new Map<string, string>(state?.texts);
  // Folders whose listing primed `entries`: a name not among their entries does not exist.
  const listed = new Set<string>(state?.listed);
  let cachedChars = 0;
  for (const [, text] of texts) cachedChars += text.length;
  for (const [p, real, kind] of state?.entries ?? []) entries.set(p, kind === 'escape' ? escape(p) : { real, kind });
  const inside = (real: string): boolean => real === absRoot || real.startsWith(absRoot + nodePath.sep);

  /** `p` is normalised; a missing path's real location is the path itself, as realpath leaves it. */
  const entry = (p: string): Entry => {
    let e = entries.get(p);
    if (e !== undefined) return e;
    const slash = p.lastIndexOf('/');
    const parent = entry(slash < 0 ? '' : p.slice(0, slash));
    const full = abs(p);
    if (parent instanceof PloydError) {
      // Under a link leading out of the repo: realpath answers only for what exists there.
      e = nodeFs.existsSync(full) ? escape(p) : { real: full, kind: 'missing' };
    } else if (parent.kind !== 'dir' || listed.has(slash < 0 ? '' : p.slice(0, slash))) {
      e = { real: full, kind: 'missing' };
    } else {
      const candidate = parent.real + nodePath.sep + p.slice(slash + 1);
      const lst = nodeFs.lstatSync(candidate, { throwIfNoEntry: false });
      if (lst === undefined) e = { real: full, kind: 'missing' };
      else if (!lst.isSymbolicLink()) e = { real: candidate, kind: kindOf(lst) };
      else {
        let real: string | undefined;
        try {
          real = nodeFs.realpathSync.native(candidate);
        } catch {
          real = undefined; // a dangling link: nothing there
        }
        e = real === undefined ? { real: full, kind: 'missing' } : !inside(real) ? escape(p) : { real, kind: kindOf(nodeFs.statSync(real, { throwIfNoEntry: false })) };
      }
    }
    entries.set(p, e);
    return e;
  };
  const known = (p: string): Exclude<Entry, PloydError> => {
    const e = entry(normalizeRepoPath(p));
    if (e instanceof PloydError) throw e;
    return e;
  };
  return {
    readFile(p) {
      const n = normalizeRepoPath(p);
      const cached = texts.get(n);
      if (cached !== undefined) return cached;
      const e = known(n);
      if (e.kind === 'missing') throw new PloydError('E_FILE_NOT_FOUND', `${p} does not exist`, { file: p });
      if (e.kind !== 'file') throw new PloydError('E_FILE_NOT_FOUND', `${p} is not a file`, { file: p });
      const fd = nodeFs.openSync(e.real, 'r');
      try {
        const size = nodeFs.fstatSync(fd).size;
        if (size > MAX_FILE_BYTES) {
          throw new PloydError('E_FILE_TOO_LARGE', `${p} is larger than 10 MB`, { file: p });
        }
        const buf = nodeFs.readFileSync(fd);
        if (buf.includes(0)) throw new PloydError('E_BINARY_FILE', `${p} is a binary file`, { file: p });
        const text = buf.toString('utf8');
        if (textBudget > 0 && cachedChars + text.length <= textBudget) {
          texts.set(n, text);
          cachedChars += text.length;
        }
        return text;
      } finally {
        nodeFs.closeSync(fd);
      }
    },
    isDirectory(p) {
      return known(p).kind === 'dir';
    },
    exists(p) {
      return known(p).kind !== 'missing';
    },
    listDir(p) {
      const dir = normalizeRepoPath(p);
      const e = known(dir);
      const names: string[] = [];
      let links = false;
      for (const d of nodeFs.readdirSync(e.real, { withFileTypes: true })) {
        names.push(d.name);
        const child = dir === '' ? d.name : `${dir}/${d.name}`;
        if (d.isSymbolicLink()) links = true;
        else if (e.kind === 'dir' && !entries.has(child)) entries.set(child, { real: e.real + nodePath.sep + d.name, kind: kindOf(d) });
      }
      // Links are resolved on first use, so only a folder without any is known completely.
      if (e.kind === 'dir' && !links) listed.add(dir);
      return names.sort();
    },
    realPath(p) {
      // Every real path a snapshot hands out is inside the root (escapes are errors).
      const real = known(p).real;
      const rel = real === absRoot ? '' : real.slice(absRoot.endsWith(nodePath.sep) ? absRoot.length : absRoot.length + 1);
      return nodePath.sep === '/' ? rel : rel.split(nodePath.sep).join('/');
    },
    exportState() {
      const out: [string, string, 'file' | 'dir' | 'other' | 'missing' | 'escape'][] = [];
      for (const [p, e] of entries) out.push(e instanceof PloydError ? [p, '', 'escape'] : [p, e.real, e.kind]);
      return { root: absRoot, entries: out, listed: [...listed], texts: [...texts] };
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
