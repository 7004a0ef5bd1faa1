import { z } from 'zod';
import { ObjectMeta } from '../metadata.ts';

/**
 * Kinds PloyD recognises but does not interpret: it hands them to the Kubernetes target as they
 * are, and reports that the local runtime cannot act on them.
 */
export const PASSTHROUGH_KINDS: Readonly<Record<string, readonly string[]>> = {
  v1: ['Service', 'Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolumeClaim', 'Pod', 'ResourceQuota', 'LimitRange', 'Endpoints'],
  'apps/v1': ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
  'batch/v1': ['Job', 'CronJob'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'autoscaling/v1': ['HorizontalPodAutoscaler'],
  'policy/v1': ['PodDisruptionBudget'],
  'networking.k8s.io/v1': ['Ingress', 'NetworkPolicy', 'IngressClass'],
  'rbac.authorization.k8s.io/v1': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'storage.k8s.io/v1': ['StorageClass'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'node.k8s.io/v1': ['RuntimeClass'],
  'monitoring.coreos.com/v1': ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'],
  'networking.istio.io/v1beta1': ['VirtualService', 'DestinationRule', 'Gateway'],
  'networking.istio.io/v1': ['VirtualService', 'DestinationRule', 'Gateway'],
  'gateway.networking.k8s.io/v1': ['HTTPRoute', 'Gateway', 'GatewayClass'],
  'leaderworkerset.x-k8s.io/v1': ['LeaderWorkerSet'],
  'keda.sh/v1alpha1': ['ScaledObject'],
  'argoproj.io/v1alpha1': ['WorkflowTemplate', 'Workflow', 'ApplicationSet'],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
};

export const PassthroughResource = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: ObjectMeta.loose(),
});
export type PassthroughResource = z.infer<typeof PassthroughResource>;

export function isPassthroughKind(apiVersion: string, kind: string): boolean {
  return PASSTHROUGH_KINDS[apiVersion]?.includes(kind) ?? false;
}
