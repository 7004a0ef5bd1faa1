import { PloydError } from '../../errors/index.ts';
import { type GpuInfo, queryNvidiaSmi } from './nvidia-smi.ts';

/**
 * `--gpus N[:type]` (e.g. `4`, `2:A100`): GPUs declared for planning on a machine where nvidia-smi
 * cannot see them (or to pretend, in tests and demos).
 */
export function parseGpuDeclaration(value: string): GpuInfo[] {
  const m = /^\s*(\d+)\s*(?::\s*(\S.*?))?\s*$/.exec(value);
  const count = m ? Number(m[1]) : Number.NaN;
  if (!m || !Number.isInteger(count) || count < 0 || count > 1024) {
    throw new PloydError('E_USAGE', `--gpus must be N or N:type (e.g. 2 or 2:A100); got ${JSON.stringify(value)}`, { flag: '--gpus' });
  }
  const name = m[2] ?? 'declared';
  return Array.from({ length: count }, (_, index) => ({ index, name }));
}

/** Why an allocation could not be made, worded for a status line. */
export interface GpuShortage {
  readonly needed: number;
  readonly free: number;
  readonly type?: string;
}

export function describeShortage(s: GpuShortage): string {
  const what = s.type ? `${s.needed} GPU${s.needed === 1 ? '' : 's'} of type ${s.type}` : `${s.needed} GPU${s.needed === 1 ? '' : 's'}`;
  return `needs ${what}, ${s.free} free`;
}

/** Does a GPU's reported name satisfy a requested type? Case-insensitive substring ("a100" ⊂ "NVIDIA A100-SXM4-80GB"). */
export function gpuMatchesType(gpu: GpuInfo, type: string | undefined): boolean {
  return type === undefined || type === '' || gpu.name.toLowerCase().includes(type.toLowerCase());
}

/**
 * Which GPUs exist and which replica holds each. Allocation is whole-GPU and all-or-nothing, so a
 * replica never starts with fewer GPUs than its tensor-parallel size needs.
 */
export class GpuInventory {
  readonly gpus: readonly GpuInfo[];
  readonly #owner = new Map<number, string>();

  constructor(gpus: readonly GpuInfo[]) {
    this.gpus = gpus;
  }

  /** From nvidia-smi when present, else empty. */
  static async detect(options: { command?: string; timeoutMs?: number } = {}): Promise<GpuInventory> {
    return new GpuInventory(await queryNvidiaSmi(options));
  }

  static declared(value: string): GpuInventory {
    return new GpuInventory(parseGpuDeclaration(value));
  }

  get size(): number {
    return this.gpus.length;
  }

  freeCount(type?: string): number {
    return this.gpus.filter((g) => !this.#owner.has(g.index) && gpuMatchesType(g, type)).length;
  }

  /** Allocates `count` GPUs to `owner`, or explains the shortage; 0 GPUs always succeeds. */
  allocate(owner: string, count: number, type?: string): { gpus: number[] } | { shortage: GpuShortage } {
    if (count <= 0) return { gpus: [] };
    const free = this.gpus.filter((g) => !this.#owner.has(g.index) && gpuMatchesType(g, type));
    if (free.length < count) return { shortage: { needed: count, free: free.length, ...(type ? { type } : {}) } };
    const picked = free.slice(0, count).map((g) => g.index);
    for (const i of picked) this.#owner.set(i, owner);
    return { gpus: picked };
  }

  /**
   * Marks specific GPUs as held (a replica adopted after a supervisor restart keeps the GPUs it
   * had). Returns false when one of them is unknown or held by someone else.
   */
  claim(owner: string, indices: readonly number[]): boolean {
    for (const i of indices) {
      const holder = this.#owner.get(i);
      if (!this.gpus.some((g) => g.index === i) || (holder !== undefined && holder !== owner)) return false;
    }
    for (const i of indices) this.#owner.set(i, owner);
    return true;
  }

  release(owner: string): void {
    for (const [i, o] of this.#owner) if (o === owner) this.#owner.delete(i);
  }

  ownerOf(index: number): string | undefined {
    return this.#owner.get(index);
  }
}
