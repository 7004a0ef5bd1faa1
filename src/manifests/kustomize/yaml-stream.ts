import type { RenderedResource } from './render.ts';
import { emitDocument } from './yaml-emit.ts';

/** The same text `kubectl kustomize` prints for these resources. */
export function toYamlStream(resources: readonly RenderedResource[]): string {
  return resources.map((r) => emitDocument(r.object)).join('---\n');
}
