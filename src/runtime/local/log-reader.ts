import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PloydError } from '../../errors/index.ts';
import { logDir, tailLines } from './replica-log.ts';

export interface ReplicaLogFile {
  readonly namespace: string;
  readonly name: string;
  readonly replica: number;
  readonly path: string;
}

/**
 * The log files of one deployment, by replica index. The namespace may be omitted when the model
 * name is unique across namespaces; otherwise the error lists the candidates.
 */
export function findReplicaLogs(stateDir: string, name: string, options: { namespace?: string; replica?: number } = {}): ReplicaLogFile[] {
  const namespace = options.namespace ?? soleNamespace(stateDir, name);
  const dir = logDir(stateDir, namespace, name);
  if (!existsSync(dir)) throw notFound(stateDir, name, namespace);
  const files = readdirSync(dir)
    .map((f) => /^(\d+)\.log$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ namespace: namespace, name, replica: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.replica - b.replica);
  if (options.replica !== undefined) {
    const one = files.filter((f) => f.replica === options.replica);
    if (one.length === 0) {
      throw new PloydError('E_NOT_FOUND', `no log for replica ${options.replica} of ${namespace}/${name} (replicas with logs: ${files.map((f) => f.replica).join(', ') || 'none'})`, {
        flag: '--replica',
      });
    }
    return one;
  }
  return files;
}

function soleNamespace(stateDir: string, name: string): string {
  const root = join(stateDir, 'logs');
  const candidates = existsSync(root) ? readdirSync(root).filter((ns) => existsSync(logDir(stateDir, ns, name))) : [];
  const [only, ...more] = candidates;
  if (only === undefined) throw notFound(stateDir, name);
  if (more.length > 0) {
    throw new PloydError('E_USAGE', `model ${name} has logs in namespaces ${candidates.sort().join(', ')}: pass --namespace`, {
      flag: '--namespace',
      namespaces: candidates,
    });
  }
  return only;
}

function notFound(stateDir: string, name: string, namespace?: string): PloydError {
  const root = join(stateDir, 'logs');
  const known: string[] = [];
  if (existsSync(root)) {
    for (const ns of readdirSync(root)) for (const n of readdirSync(join(root, ns))) known.push(`${ns}/${n}`);
  }
  const where = namespace ? `${namespace}/${name}` : name;
  return new PloydError('E_NOT_FOUND', `no logs for model ${where} under ${root}${known.length ? ` (models with logs: ${known.sort().join(', ')})` : ''}`, {
    stateDir,
  });
}

/** Lines of a log file: all of it, or the last `tail`. */
export function readLogLines(path: string, tail?: number): string[] {
  if (tail !== undefined) return tailLines(path, tail, Math.max(64 * 1024, tail * 512));
  const size = statSync(path).size;
  return tailLines(path, Number.MAX_SAFE_INTEGER, size + 1);
}

/**
 * Follows files like `tail -F`: polls sizes (cheap, and works where inotify does not), prints new
 * bytes, and starts over when a file shrinks (the supervisor rotated it by copy-and-truncate).
 */
export function followLogs(
  files: readonly ReplicaLogFile[],
  write: (file: ReplicaLogFile, chunk: string) => void,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<void> {
  const offsets = new Map(files.map((f) => [f.path, safeSize(f.path)]));
  return new Promise((resolve) => {
    const tick = (): void => {
      for (const f of files) {
        const size = safeSize(f.path);
        let from = offsets.get(f.path) ?? 0;
        if (size < from) from = 0;
        if (size > from) {
          const fd = openSync(f.path, 'r');
          try {
            const buf = Buffer.alloc(size - from);
            readSync(fd, buf, 0, buf.length, from);
            write(f, buf.toString('utf8'));
          } finally {
            closeSync(fd);
          }
        }
        offsets.set(f.path, size);
      }
    };
    const timer = setInterval(tick, intervalMs);
    signal.addEventListener(
      'abort',
      () => {
        clearInterval(timer);
        tick();
        resolve();
      },
      { once: true },
    );
  });
}

function safeSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
