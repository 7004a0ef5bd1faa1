// The public face of the `ployd` package: what users import in their own scripts. Each line is a
// component's own public face (its index.ts).
export * from './errors/index.ts';
export * from './resources/index.ts';
export { PloydClient, type PloydClientOptions } from './sdk/client/index.ts';
export { createPloyd, MemoryRuntime, SYSTEM_ACTOR, type Actor, type Ployd, type CreatePloydOptions } from './sdk/index.ts';
export { openStore, type Store, type OpenStoreOptions } from './store/index.ts';
export { createGateway, type Gateway, type GatewayOptions, type MetricsProvider } from './gateway/index.ts';
export { createLocalRuntime, createKubernetesRuntime, renderKubernetes, type Runtime } from './runtime/index.ts';
export { startSimulator, type RunningSimulator } from './runtime/simulator/index.ts';
export { loadRepo, scanRepo, nodeRepoFs, type LoadedResource } from './manifests/index.ts';
export { validateResources } from './validation/index.ts';
