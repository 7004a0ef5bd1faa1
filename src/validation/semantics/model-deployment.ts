import type { Diagnostic } from '../../errors/index.ts';
import { pipelineParallelSize, tensorParallelSize } from '../../resources/index.ts';
import { ofKind } from '../context.ts';
import { finding } from '../locate.ts';
import type { ValidationInput } from '../types.ts';
import { formatPath, valueAt, writtenPath } from '../written-path.ts';

/**
 * ModelDeployment: minReplicas ≤ replicas ≤ maxReplicas (when autoscaling is on) and
 * minReplicas ≤ maxReplicas; tensor × pipeline parallel size fits the GPUs of one replica.
 */
export function checkModelDeployments(inputs: readonly ValidationInput[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { input, resource } of ofKind(inputs, 'ModelDeployment')) {
    const spec = resource.spec;
    const manifest = input.parsed.manifest;
    const scaling = spec.scaling;
    if (scaling) {
      const dflt = (field: string): string => (valueAt(manifest, ['spec', 'scaling', field]) === undefined ? ' (default)' : '');
      const { minReplicas: min, maxReplicas: max } = scaling;
      if (min > max) {
        const at = valueAt(manifest, ['spec', 'scaling', 'minReplicas']) === undefined ? 'maxReplicas' : 'minReplicas';
        out.push(
          finding(input, ['spec', 'scaling', at], {
            code: 'E_REPLICA_BOUNDS',
            message: `minReplicas ${min}${dflt('minReplicas')} is greater than maxReplicas ${max}${dflt('maxReplicas')}`,
          }),
        );
      } else if (scaling.enabled && spec.replicas !== undefined && (spec.replicas < min || spec.replicas > max)) {
        out.push(
          finding(input, ['spec', 'replicas'], {
            code: 'E_REPLICA_BOUNDS',
            message: `replicas ${spec.replicas} is outside minReplicas ${min}${dflt('minReplicas')} .. maxReplicas ${max}${dflt('maxReplicas')}`,
            suggestion: spec.replicas < min ? `raise replicas to ${min} or lower minReplicas` : `lower replicas to ${max} or raise maxReplicas`,
          }),
        );
      }
    }
    const gpuWritten = valueAt(manifest, ['spec', 'resources', 'gpu', 'count']) !== undefined;
    if (gpuWritten) {
      const gpus = spec.resources?.gpu?.count ?? 0;
      const vllm = spec.model.vllm;
      const tensor = tensorParallelSize(resource);
      const pipeline = pipelineParallelSize(resource);
      if (tensor * pipeline > gpus) {
        const tpPath =
          vllm?.tensor_parallel_size !== undefined ? ['spec', 'model', 'vllm', 'tensor_parallel_size'] : ['spec', 'model', 'parallelism', 'tensor'];
        out.push(
          finding(input, tpPath, {
            code: 'E_TENSOR_PARALLEL',
            message:
              pipeline > 1
                ? `tensor parallel size ${tensor} × pipeline parallel size ${pipeline} = ${tensor * pipeline} exceeds the ${gpus} GPU(s) of one replica`
                : `tensor parallel size ${tensor} exceeds the ${gpus} GPU(s) of one replica`,
            suggestion: `set ${formatPath(writtenPath(input.parsed, ['spec', 'resources', 'gpu', 'count']))} to at least ${tensor * pipeline}`,
          }),
        );
      }
    }
  }
  return out;
}
