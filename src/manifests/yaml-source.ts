import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, isPair, type Document, type Node, type YAMLError } from 'yaml';
import type { Diagnostic, ErrorCode } from '../errors/index.ts';
import { parseFastYaml } from './fast-yaml.ts';
import type { SourcePosition } from './types.ts';

/** One YAML document of a file: its value, where it starts, and a field locator. */
export interface SourceDocument {
  readonly value: unknown;
  readonly position: SourcePosition;
  readonly locate: (path: readonly (string | number)[]) => SourcePosition;
}

export interface ParsedYamlFile {
  readonly documents: readonly SourceDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

const YAML_CODES: Record<string, ErrorCode> = {
  DUPLICATE_KEY: 'E_YAML_DUPLICATE_KEY',
  TAB_AS_INDENT: 'E_YAML_TAB',
};

/**
 * yaml reports an unclosed flow collection (`{name: x` with no `}`) where the input ends; the
 * user's mistake is on the line that opened it, so point there.
 */
function unclosedFlowLine(text: string, beforeLine: number, close: '}' | ']'): number | undefined {
  const open = close === '}' ? '{' : '[';
  const lines = text.split('\n');
  for (let i = Math.min(beforeLine, lines.length) - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').replace(/(["'])(?:\\.|(?!\1).)*\1/g, '').replace(/\s#.*$/, '');
    let balance = 0;
    for (const ch of line) balance += ch === open ? 1 : ch === close ? -1 : 0;
    if (balance > 0) return i + 1;
  }
  return undefined;
}

function yamlDiagnostic(file: string, err: YAMLError, lc: LineCounter, text: string): Diagnostic {
  let pos = err.linePos?.[0] ?? lc.linePos(err.pos[0]);
  const unclosed = /end with a ([}\]])/.exec(err.message)?.[1] as '}' | ']' | undefined;
  if (unclosed) {
    const line = unclosedFlowLine(text, pos.line, unclosed);
    if (line !== undefined) pos = { line, col: (text.split('\n')[line - 1] ?? '').search(/[[{]/) + 1 };
  }
  const code = YAML_CODES[err.code] ?? (/\btab\b/i.test(err.message) ? 'E_YAML_TAB' : 'E_YAML_SYNTAX');
  // yaml's messages end with a code excerpt after a blank line; the first line is the useful part.
  const message = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
  return { severity: 'error', code, message, file, line: pos.line, column: pos.col };
}

function nodeStart(node: Node | null | undefined, lc: LineCounter): SourcePosition | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/**
 * Walks the YAML AST along a field path and returns the deepest position found: a map entry is
 * located at its key (where a user looks for `weight:`), a list item at the item.
 */
function makeLocator(doc: Document.Parsed, lc: LineCounter, fallback: SourcePosition) {
  return (path: readonly (string | number)[]): SourcePosition => {
    let node: unknown = doc.contents;
    let best = nodeStart(doc.contents, lc) ?? fallback;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        best = nodeStart(pair.key as Node, lc) ?? best;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        best = nodeStart(item as Node, lc) ?? best;
        node = item;
      } else break;
    }
    return best;
  };
}

/**
 * Parses a multi-document YAML file with source positions. Syntax errors, tabs used for
 * indentation and duplicate keys become diagnostics; a document with errors yields no value,
 * so nothing half-parsed is ever applied. Empty documents are skipped.
 *
 * Text inside the fast parser's subset (nearly every file of a config repo) is read by it, and
 * field positions — needed only for a finding — come from a `yaml` parse on the first `locate`.
 */
export function parseYamlFile(file: string, text: string): ParsedYamlFile {
  if (text.trim() === '') {
    return { documents: [], diagnostics: [{ severity: 'error', code: 'E_EMPTY_FILE', message: 'file is empty', file, line: 1, column: 1 }] };
  }
  const fast = parseFastYaml(text, { keepEmpty: false });
  if (!fast) return parseWithYaml(file, text);
  let full: ParsedYamlFile | undefined;
  const documents = fast.map((d, i): SourceDocument => {
    const position = { line: d.line, column: d.column };
    const isMapping = d.value !== null && typeof d.value === 'object' && !Array.isArray(d.value);
    const locate = (path: readonly (string | number)[]): SourcePosition => {
      if (path.length === 0) return position;
      // A top-level field (what most findings name) is located by the fast parser as `yaml` would.
      if (path.length === 1 && isMapping) return d.keys.get(String(path[0]))?.pos ?? position;
      // The fast parser accepts only what `yaml` reads to the same documents, in the same order.
      full ??= parseWithYaml(file, text);
      return full.documents[i]?.locate(path) ?? position;
    };
    return { value: d.value, position, locate };
  });
  return { documents, diagnostics: [] };
}

function parseWithYaml(file: string, text: string): ParsedYamlFile {
  const lc = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  const documents: SourceDocument[] = [];
  list.forEach((doc) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) diagnostics.push(yamlDiagnostic(file, e, lc, text));
      return;
    }
    if (doc.contents === null) return;
    const position = nodeStart(doc.contents, lc) ?? { line: 1, column: 1 };
    documents.push({ value: doc.toJS({ maxAliasCount: 100 }) as unknown, position, locate: makeLocator(doc, lc, position) });
  });
  return { documents, diagnostics };
}
