import { execFile } from 'node:child_process';

/** One GPU as the local runtime sees it. Memory in MiB, as nvidia-smi reports with `nounits`. */
export interface GpuInfo {
  readonly index: number;
  readonly name: string;
  readonly memoryTotalMiB?: number;
  readonly memoryUsedMiB?: number;
}

/** The exact query the inventory runs; kept here so tests and docs quote the same thing. */
export const NVIDIA_SMI_ARGS = ['--query-gpu=index,name,memory.total,memory.used', '--format=csv,noheader,nounits'] as const;

function num(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  // nvidia-smi prints "[N/A]" or "[Not Supported]" for fields a GPU (e.g. MIG, some laptops) lacks.
  if (t === '' || t.startsWith('[')) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses `nvidia-smi --query-gpu=index,name,memory.total,memory.used --format=csv,noheader,nounits`.
 * GPU names never contain commas, so a plain split is exact; blank and malformed lines are skipped
 * rather than failing the whole inventory (one odd line must not hide the other GPUs).
 *
 * @example
 * parseNvidiaSmi('0, NVIDIA A100-SXM4-80GB, 81920, 4\n') // [{ index: 0, name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 4 }]
 */
export function parseNvidiaSmi(csv: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const raw of csv.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const [idx, name, total, used] = line.split(',');
    const index = num(idx);
    if (index === undefined || !Number.isInteger(index) || index < 0 || name === undefined || name.trim() === '') continue;
    const memoryTotalMiB = num(total);
    const memoryUsedMiB = num(used);
    gpus.push({
      index,
      name: name.trim(),
      ...(memoryTotalMiB !== undefined ? { memoryTotalMiB } : {}),
      ...(memoryUsedMiB !== undefined ? { memoryUsedMiB } : {}),
    });
  }
  return gpus.sort((a, b) => a.index - b.index);
}

/**
 * Runs nvidia-smi; resolves to [] when it is not installed or fails (a machine without GPUs is
 * normal, not an error). `timeoutMs` guards against a wedged driver hanging the supervisor's start.
 */
export function queryNvidiaSmi(options: { command?: string; timeoutMs?: number } = {}): Promise<GpuInfo[]> {
  return new Promise((resolve) => {
    execFile(options.command ?? 'nvidia-smi', [...NVIDIA_SMI_ARGS], { timeout: options.timeoutMs ?? 5000 }, (err, stdout) => {
      resolve(err ? [] : parseNvidiaSmi(stdout));
    });
  });
}
