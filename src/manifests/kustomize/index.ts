export { type RepoFs, type RepoFsState, nodeRepoFs, memoryRepoFs } from './repo-fs.ts';
export {
  type RenderedResource,
  type KustomizeResult,
  isKustomizationDir,
  renderKustomization,
} from './render.ts';
export { toYamlStream } from './yaml-stream.ts';
