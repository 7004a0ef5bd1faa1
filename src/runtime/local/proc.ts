import { readFileSync, readdirSync } from 'node:fs';

/**
 * Linux /proc helpers. The supervisor uses them to recognise its own replicas after a restart:
 * a pid alone is not enough, since pids are reused, so identity is pid + start time + command line.
 */

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    // EPERM: it exists but belongs to someone else — alive, and not ours to adopt.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  const stat = readStat(pid);
  return stat?.state === 'Z';
}

/** The NUL-separated argv of a process, or undefined when it is gone or unreadable. */
export function readCmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (raw === '') return undefined;
    return raw.replace(/\0$/, '').split('\0');
  } catch {
    return undefined;
  }
}

/** State, process-group id and start time (clock ticks since boot) from /proc/<pid>/stat. */
export function readStat(pid: number): { state: string; pgid: number; startTicks: number } | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: parse from the last ')'.
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const state = rest[0] ?? '?';
    const pgid = Number(rest[2]);
    const startTicks = Number(rest[19]);
    return { state, pgid, startTicks };
  } catch {
    return undefined;
  }
}

/** `KEY=value` environment of a process (readable for our own user's processes only). */
export function readEnviron(pid: number): Map<string, string> | undefined {
  try {
    const env = new Map<string, string>();
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) env.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return env;
  } catch {
    return undefined;
  }
}

/** Every live pid whose environment has `key=value` (and, when given, also has `alsoKey`). */
export function findProcessesWithEnv(key: string, value: string, alsoKey?: string): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    const env = readEnviron(pid);
    if (env?.get(key) === value && (alsoKey === undefined || env.has(alsoKey)) && readStat(pid)?.state !== 'Z') found.push(pid);
  }
  return found;
}

/** Signals a whole process group; false when it no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Is any process of the group still running (zombies don't count)? */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // kill(-pgid, 0) also succeeds while only zombies are left. The common case — a live leader — is
  // answered from its own stat; otherwise (leader gone or a zombie, children maybe alive, like
  // tsx's esbuild service) look at every member.
  const leader = readStat(pgid);
  if (leader && leader.state !== 'Z' && leader.pgid === pgid) return true;
  return groupMembers(pgid).length > 0;
}

/** Live (non-zombie) pids of a process group, from /proc. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const st = readStat(Number(e));
    if (st && st.pgid === pgid && st.state !== 'Z') out.push(Number(e));
  }
  return out;
}
