// Reading config repos: YAML with source positions, kustomize rendering, environments.
export type { LoadedResource, RepoTextFile, SourcePosition } from './types.ts';
export { parseYamlFile, type ParsedYamlFile, type SourceDocument } from './yaml-source.ts';
export { formatFieldPath, issueToDiagnostic } from './issues.ts';
export { environmentOfPath, environmentsFromDirs, isIgnoredPath, isResourcePath, isYamlPath } from './layout.ts';
export { scanRepo, loadRepo, discoverEnvironments, readTextFiles, type RepoScan, type LoadOptions, type LoadResult } from './loader.ts';
export {
  nodeRepoFs,
  memoryRepoFs,
  renderKustomization,
  isKustomizationDir,
  toYamlStream,
  type RepoFs,
  type RepoFsState,
  type RenderedResource,
  type KustomizeResult,
} from './kustomize/index.ts';
