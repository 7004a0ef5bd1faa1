import { PloydError } from '../../errors/index.ts';
import { gpusPerReplica, tensorParallelSize, type ModelDeployment } from '../../resources/index.ts';
import { pipelineParallelSize } from '../../resources/index.ts';
import type { ResolvedRenderOptions } from './options.ts';

/** How one replica maps onto pods: one pod (Deployment) or a leader/worker group (LeaderWorkerSet). */
export interface Topology {
  readonly multiNode: boolean;
  /** Pods per replica (1 for a Deployment). */
  readonly podsPerReplica: number;
  /** GPUs requested by each pod. */
  readonly gpusPerPod: number;
}

/**
 * A replica spans nodes when tensor × pipeline parallelism needs more GPUs than one node has; it is
 * then split into pods of `gpusPerNode` GPUs each, so the split must be exact. `gpu.count` is the
 * GPUs of a whole replica and must cover the parallelism (the server cannot start otherwise).
 */
export function topology(md: ModelDeployment, o: ResolvedRenderOptions): Topology {
  const ranks = tensorParallelSize(md) * pipelineParallelSize(md);
  const declared = gpusPerReplica(md);
  const where = { name: md.metadata.name, field: 'spec.resources.gpu.count' };
  if (!Number.isInteger(o.gpusPerNode) || o.gpusPerNode < 1) {
    throw new PloydError('E_USAGE', `gpusPerNode must be a positive integer, got ${o.gpusPerNode}`);
  }
  if (ranks > 1 && declared > 0 && declared < ranks) {
    throw new PloydError(
      'E_TENSOR_PARALLEL',
      `ModelDeployment ${md.metadata.name}: tensor ${tensorParallelSize(md)} × pipeline ${pipelineParallelSize(md)} parallel needs ${ranks} GPUs per replica, spec.resources.gpu.count is ${declared}`,
      where,
    );
  }
  const gpus = Math.max(declared, ranks > 1 ? ranks : 0);
  if (gpus <= o.gpusPerNode) return { multiNode: false, podsPerReplica: 1, gpusPerPod: gpus };
  if (ranks <= o.gpusPerNode) {
    throw new PloydError(
      'E_TENSOR_PARALLEL',
      `ModelDeployment ${md.metadata.name}: ${gpus} GPUs per replica exceed one node (${o.gpusPerNode}) but parallelism uses ${ranks}; raise tensor/pipeline parallelism to span nodes or lower gpu.count`,
      where,
    );
  }
  if (ranks % o.gpusPerNode !== 0 || (declared > 0 && declared !== ranks)) {
    throw new PloydError(
      'E_TENSOR_PARALLEL',
      `ModelDeployment ${md.metadata.name}: a multi-node replica needs tensor × pipeline (${ranks}) to be a multiple of gpusPerNode (${o.gpusPerNode}) and equal to gpu.count (${declared})`,
      where,
    );
  }
  return { multiNode: true, podsPerReplica: ranks / o.gpusPerNode, gpusPerPod: o.gpusPerNode };
}
