import { mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PloydError } from '../../errors/index.ts';
import { isAlive, readStat } from './proc.ts';

/**
 * What the supervisor must remember across its own death: the desired deployments and every
 * replica process it started, with enough identity (pid, start time, a unique id in the child's
 * environment, command line) to tell its own replica from a stranger that reused the pid.
 */
export const ReplicaRecord = z.object({
  namespace: z.string(),
  name: z.string(),
  index: z.number().int().min(0),
  /** Unique per spawn; also in the child's environment as PLOYD_REPLICA_UID. */
  uid: z.string(),
  pid: z.number().int().positive(),
  pgid: z.number().int().positive(),
  port: z.number().int().min(1).max(65535),
  host: z.string(),
  specHash: z.string(),
  startedAt: z.number(),
  /** /proc/<pid>/stat start time, in clock ticks since boot. */
  startTicks: z.number().optional(),
  cmdline: z.array(z.string()).optional(),
  gpus: z.array(z.number().int()),
  restarts: z.number().int().min(0),
});
export type ReplicaRecord = z.infer<typeof ReplicaRecord>;

export const DeploymentRecord = z.object({
  /** The ModelDeployment as applied (already parsed: durations in ms), so it is not re-parsed. */
  deployment: z.looseObject({ metadata: z.looseObject({ name: z.string(), namespace: z.string() }), spec: z.looseObject({}) }),
  specHash: z.string(),
  desired: z.number().int().min(0),
});
export type DeploymentRecord = z.infer<typeof DeploymentRecord>;

export const StateFile = z.object({
  version: z.literal(1),
  deployments: z.array(DeploymentRecord),
  replicas: z.array(ReplicaRecord),
});
export type StateFile = z.infer<typeof StateFile>;

export const EMPTY_STATE: StateFile = { version: 1, deployments: [], replicas: [] };

export function statePath(stateDir: string): string {
  return join(stateDir, 'state.json');
}

/**
 * Reads the state file. A missing file is a fresh start; a corrupt one is reported and set aside
 * (renamed `.corrupt`) so the supervisor still starts — the /proc scan then finds any replica the
 * lost file described, so nothing is doubled.
 */
export function readState(stateDir: string): { state: StateFile; warning?: string } {
  const path = statePath(stateDir);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return { state: EMPTY_STATE };
  }
  try {
    return { state: StateFile.parse(JSON.parse(raw)) };
  } catch (err) {
    try {
      renameSync(path, `${path}.corrupt`);
    } catch {
      // best effort: the next write replaces it anyway
    }
    return { state: EMPTY_STATE, warning: `state file ${path} unreadable (${(err as Error).message.split('\n')[0]}); set aside as .corrupt` };
  }
}

/** Writes atomically (temp file + rename): a supervisor killed mid-write leaves the old file whole. */
export function writeState(stateDir: string, state: StateFile): void {
  mkdirSync(stateDir, { recursive: true });
  const path = statePath(stateDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}

/**
 * One supervisor per state dir: two would each adopt — or kill — the other's replicas. The lock
 * holds pid and start time so a stale lock (its owner died, its pid maybe reused) is taken over.
 */
export function acquireLock(stateDir: string): () => void {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, 'supervisor.lock');
  const me = JSON.stringify({ pid: process.pid, startTicks: readStat(process.pid)?.startTicks });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === me) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new PloydError('E_IO', `cannot create ${path}: ${(err as Error).message}`, { path });
      let owner: { pid?: number; startTicks?: number } = {};
      try {
        owner = JSON.parse(readFileSync(path, 'utf8')) as typeof owner;
      } catch {
        // unreadable lock: treat as stale
      }
      // Our own pid counts too: a second runtime in this process would fight the first.
      const alive =
        typeof owner.pid === 'number' &&
        isAlive(owner.pid) &&
        (owner.startTicks === undefined || readStat(owner.pid)?.startTicks === owner.startTicks);
      if (alive) {
        throw new PloydError('E_RUNTIME_LOCKED', `another supervisor (pid ${owner.pid}) is using ${stateDir}`, { stateDir, pid: owner.pid });
      }
      try {
        unlinkSync(path);
      } catch {
        // raced with another starter; the next openSync decides
      }
    }
  }
  throw new PloydError('E_RUNTIME_LOCKED', `could not lock ${stateDir}: another supervisor is starting`, { stateDir });
}
