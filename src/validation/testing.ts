import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { SourcePosition } from '../manifests/index.ts';
import { parseResource, resourceId } from '../resources/index.ts';
import type { FieldPath, UnparsedDocument, ValidationInput } from './types.ts';

/**
 * Test support (not for production paths): builds LoadedResources from a YAML string the way the
 * loader does, with real source positions, so rule tests can assert exact file:line:column.
 */

function start(node: Node | null | undefined, lc: LineCounter): SourcePosition | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/** A map entry is located at its key, a list item at the item; else the nearest ancestor. */
export function yamlLocator(doc: Document.Parsed, lc: LineCounter, fallback: SourcePosition): (path: FieldPath) => SourcePosition {
  return (path) => {
    let node: unknown = doc.contents;
    let best = start(doc.contents, lc) ?? fallback;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        best = start(pair.key as Node, lc) ?? best;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        best = start(item as Node, lc) ?? best;
        node = item;
      } else break;
    }
    return best;
  };
}

export interface TestLoad {
  readonly resources: ValidationInput[];
  readonly unparsed: UnparsedDocument[];
}

/**
 * Parses every document of `text` as file `file` and runs parseResource on it. Documents that
 * pass become ValidationInputs (with their warnings as `issues`); the others come back unparsed.
 *
 * @example
 * const { resources } = loadYaml('apiVersion: ployd.ai/v1\nkind: ModelDeployment\n…', { file: 'models.yaml' });
 */
export function loadYaml(text: string, opts: { file?: string; environment?: string } = {}): TestLoad {
  const file = opts.file ?? 'test.yaml';
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  const resources: ValidationInput[] = [];
  const unparsed: UnparsedDocument[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) throw new Error(`test YAML does not parse: ${doc.errors[0]?.message ?? ''}`);
    if (doc.contents === null) continue;
    const position = start(doc.contents, lc) ?? { line: 1, column: 1 };
    const locate = yamlLocator(doc, lc, position);
    const value = doc.toJS() as unknown;
    const { parsed, issues } = parseResource(value);
    const env = opts.environment === undefined ? {} : { environment: opts.environment };
    if (parsed && !issues.some((i) => i.severity === 'error')) {
      resources.push({ parsed, file, position, locate, issues, ...env });
    } else {
      const meta = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
      const name = typeof meta?.metadata?.name === 'string' ? meta.metadata.name : undefined;
      const ns = typeof meta?.metadata?.namespace === 'string' ? meta.metadata.namespace : undefined;
      const resource =
        typeof meta?.kind === 'string' && name !== undefined
          ? resourceId({ kind: meta.kind, metadata: ns === undefined ? { name } : { name, namespace: ns } })
          : undefined;
      unparsed.push({ file, locate, issues, ...(resource ? { resource } : {}), ...env });
    }
  }
  return { resources, unparsed };
}

/** Like loadYaml but fails the test when any document does not parse. */
export function loadResources(text: string, opts: { file?: string; environment?: string } = {}): ValidationInput[] {
  const { resources, unparsed } = loadYaml(text, opts);
  if (unparsed.length > 0) {
    const first = unparsed[0]?.issues[0];
    throw new Error(`test YAML has schema errors: ${first ? `${first.path.join('.')}: ${first.message}` : 'unknown'}`);
  }
  return resources;
}
