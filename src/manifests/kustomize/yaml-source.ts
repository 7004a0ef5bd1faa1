import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import { parseFastYaml, type FastYamlDoc } from '../fast-yaml.ts';
import { fail } from './errors.ts';

/** One YAML document of a file with the position where its content starts. */
export interface SourceDoc {
  readonly value: unknown;
  readonly line: number;
  readonly column: number;
  /** Position of a top-level key of a mapping document, for diagnostics. */
  readonly keyPos: (key: string) => { line: number; column: number };
  /** Position of item `index` of a top-level sequence field (falls back to the key). */
  readonly itemPos: (key: string, index: number) => { line: number; column: number };
}

/**
 * Parses a multi-document YAML text. Resources use YAML 1.2 (kyaml reads them with yaml.v3);
 * kustomization files use YAML 1.1 because kustomize reads them with sigs.k8s.io/yaml (go-yaml
 * v2), so `yes`, `on` or `0755` there are a bool and an octal, exactly as kustomize sees them. Syntax errors and duplicate keys throw (kustomize refuses
 * both); empty documents are dropped, as kustomize drops them.
 */
export function parseYamlDocs(text: string, file: string, options: { yaml11?: boolean } = {}): SourceDoc[] {
  const fast = parseFastYaml(text);
  return fast ? fromFast(text, file, options, fast) : parseWithYaml(text, file, options);
}

function fromFast(text: string, file: string, options: { yaml11?: boolean }, fast: readonly FastYamlDoc[]): SourceDoc[] {
  // The fast subset reads the same under YAML 1.1 and 1.2. Key positions, needed only for a
  // finding, come from a `yaml` parse on first use; it yields the same documents in order.
  let full: SourceDoc[] | undefined;
  const positioned = (i: number): SourceDoc | undefined => (full ??= parseWithYaml(text, file, options))[i];
  return fast.map((d, i): SourceDoc => {
    const here = { line: d.line, column: d.column };
    // As `yaml` answers: a top-level key at its key, an item of a block sequence under it at the item.
    const keyPos = (key: string): { line: number; column: number } => d.keys.get(key)?.pos ?? here;
    const itemPos = (key: string, index: number): { line: number; column: number } => {
      const k = d.keys.get(key);
      if (!k) return here;
      if (k.value === 'other' || (k.value === 'block-sequence' && index >= k.items.length)) return k.pos;
      const item = k.value === 'block-sequence' ? k.items[index] : undefined;
      return item ?? positioned(i)?.itemPos(key, index) ?? k.pos;
    };
    return { value: d.value, line: d.line, column: d.column, keyPos, itemPos };
  });
}

function parseWithYaml(text: string, file: string, options: { yaml11?: boolean }): SourceDoc[] {
  const lineCounter = new LineCounter();
  let parsed: ReturnType<typeof parseAllDocuments>;
  try {
    parsed = parseAllDocuments(text, {
      lineCounter,
      uniqueKeys: true,
      merge: true,
      prettyErrors: false,
      ...(options.yaml11 ? { version: '1.1' as const } : {}),
    });
  } catch (err) {
    fail('E_YAML_SYNTAX', err instanceof Error ? err.message : String(err), { file });
  }
  // parseAllDocuments returns an EmptyStream (not an array) for text without documents.
  const docs: Document[] = Array.isArray(parsed) ? parsed : [];
  const out: SourceDoc[] = [];
  for (const doc of docs) {
    const firstError = doc.errors[0];
    if (firstError) {
      const pos = lineCounter.linePos(firstError.pos[0]);
      const code =
        firstError.code === 'DUPLICATE_KEY'
          ? 'E_YAML_DUPLICATE_KEY'
          : firstError.code === 'TAB_AS_INDENT'
            ? 'E_YAML_TAB'
            : 'E_YAML_SYNTAX';
      fail(code, firstError.message.split('\n')[0] ?? 'YAML syntax error', { file, line: pos.line, column: pos.col });
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) continue;
    const start = contents.range?.[0] ?? 0;
    const pos = lineCounter.linePos(start);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      fail('E_YAML_SYNTAX', err instanceof Error ? err.message : String(err), { file, line: pos.line, column: pos.col });
    }
    const keyPos = (key: string): { line: number; column: number } => {
      if (isMap(contents)) {
        for (const item of contents.items) {
          if (isScalar(item.key) && item.key.value === key) {
            const p = lineCounter.linePos(item.key.range?.[0] ?? start);
            return { line: p.line, column: p.col };
          }
        }
      }
      return { line: pos.line, column: pos.col };
    };
    const itemPos = (key: string, index: number): { line: number; column: number } => {
      if (isMap(contents)) {
        for (const item of contents.items) {
          if (isScalar(item.key) && item.key.value === key && isSeq(item.value)) {
            const node = item.value.items[index] as Node | undefined;
            if (node?.range) {
              const p = lineCounter.linePos(node.range[0]);
              return { line: p.line, column: p.col };
            }
          }
        }
      }
      return keyPos(key);
    };
    out.push({ value, line: pos.line, column: pos.col, keyPos, itemPos });
  }
  return out;
}

// Documents `yaml` parsed, keyed by their text: renders of several overlays over one base (the
// usual shape of a config repo) parse such a base once; values are cloned out because
// transformers mutate them. Text in the fast parser's subset is not cached: parsing it again is
// about twice as fast as cloning a kept copy, and keeps no memory. Bounded so a long-running
// controller does not grow without limit.
const CACHE_LIMIT = 4096;
const MAX_CACHED_TEXT = 1 << 20;
const cache = new Map<string, SourceDoc[]>();

/** parseYamlDocs with a bounded cross-call cache; every call gets its own copy of the values. */
export function parseYamlDocsCached(text: string, file: string, options: { yaml11?: boolean } = {}): SourceDoc[] {
  const fast = parseFastYaml(text);
  if (fast) return fromFast(text, file, options, fast);
  if (text.length > MAX_CACHED_TEXT) return parseWithYaml(text, file, options);
  const key = (options.yaml11 ? '1' : '2') + text;
  let docs = cache.get(key);
  if (docs) {
    cache.delete(key);
    cache.set(key, docs);
  } else {
    docs = parseWithYaml(text, file, options);
    cache.set(key, docs);
    if (cache.size > CACHE_LIMIT) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }
  return docs.map((d) => ({ ...d, value: structuredClone(d.value) }));
}
