// The Kubernetes target: render ModelDeployments as Kubernetes objects, apply them with
// server-side apply, read health back by Argo CD's rules.
export { renderKubernetes, renderModelDeployment, toYaml, type KubernetesObject, type RenderableResource } from './render.ts';
export { DEFAULT_VLLM_TAG, type KubernetesRenderOptions } from './options.ts';
export { formatCpu, formatMemory } from './quantity.ts';
export { kubeName, serviceHost } from './names.ts';
export { vllmArgs } from './container.ts';
export { gatewayRouteManifest, GATEWAY_CONFIGMAP } from './gateway-config.ts';
export { createKubernetesApplier, type KubernetesApplier, type KubernetesApplierOptions, type ObjectRef } from './applier.ts';
export { createKubernetesRuntime, type KubernetesRuntimeOptions } from './runtime.ts';
export { objectHealth, worstHealth, deploymentHealth, type ObjectHealth } from './health.ts';
