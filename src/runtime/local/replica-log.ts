import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync, fstatSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Per-replica log files: `<stateDir>/logs/<ns>/<name>/<replica>.log`, rotated to `.1` … `.N`.
 *
 * The child writes straight into the file (its stdout and stderr are an O_APPEND descriptor), not
 * through a pipe to the supervisor: a replica must keep running — and logging — while the
 * supervisor restarts, or adoption would inherit a replica whose next write dies of SIGPIPE.
 * Hence rotation by copy-and-truncate (logrotate's copytruncate): the writer's descriptor stays
 * valid and O_APPEND sends its next write to the start of the emptied file.
 */
export function logDir(stateDir: string, namespace: string, name: string): string {
  return join(stateDir, 'logs', namespace, name);
}

export function logPath(stateDir: string, namespace: string, name: string, replica: number | string): string {
  return join(logDir(stateDir, namespace, name), `${replica}.log`);
}

/** Opens (creating folders) the log file in append mode for a child's stdout+stderr. */
export function openLogForChild(path: string): number {
  mkdirSync(join(path, '..'), { recursive: true });
  return openSync(path, 'a');
}

/** Rotates when the file exceeds maxBytes; keeps `keep` old files. Returns true when it rotated. */
export function rotateIfNeeded(path: string, maxBytes: number, keep: number): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  if (keep <= 0) {
    truncateSync(path, 0);
    return true;
  }
  if (existsSync(`${path}.${keep}`)) unlinkSync(`${path}.${keep}`);
  for (let i = keep - 1; i >= 1; i--) {
    if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
  }
  copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  return true;
}

/** The last `n` lines of a file, reading at most `maxBytes` from its end. */
export function tailLines(path: string, n: number, maxBytes = 64 * 1024): string[] {
  if (n <= 0) return [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    let text = buf.toString('utf8');
    // A partial first line (we started mid-file) is dropped rather than shown truncated.
    if (len < size) text = text.slice(text.indexOf('\n') + 1);
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-n);
  } finally {
    closeSync(fd);
  }
}

/** Writes a supervisor note into a replica's log, so `ployd logs` tells the whole story. */
export function noteLine(text: string): string {
  return `[ployd ${new Date().toISOString()}] ${text}\n`;
}
