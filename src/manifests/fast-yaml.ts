/**
 * A fast parser for the plain subset of YAML that config repos are nearly all written in: block
 * mappings with simple keys, block sequences, single-line plain and quoted scalars, one-line flow
 * sequences, literal block scalars (`|`, `|-`), comments and `---` separators.
 *
 * It exists because the `yaml` package (which keeps a CST and an AST with source ranges) was ~45 %
 * of a `ployd validate` of a large repo. It is a fast path only: on anything outside the subset —
 * anchors, tags, flow maps, folded or multi-line scalars, tabs, unusual indentation, duplicate
 * keys, numbers other than plain decimals, words a YAML 1.1 or 1.2 schema gives a meaning to — it
 * returns undefined and the caller parses the text with `yaml`, which also reports every error.
 * So where it answers, the values equal what `yaml` gives under the YAML 1.2 core schema and under
 * YAML 1.1 alike (every scalar it accepts means the same in both), and it never accepts an input
 * `yaml` would refuse. `fast-yaml.test.ts` checks that against `yaml` on every YAML file of the
 * repository's examples and fixtures and on generated variants.
 */

export interface FastYamlPos {
  readonly line: number;
  readonly column: number;
}

/**
 * Where a top-level key of a mapping document sits, and for a block sequence under it where each
 * item starts (undefined for an item with no content, whose position `yaml` puts elsewhere).
 * Findings point at these; anything deeper is located with `yaml` on demand.
 */
export interface FastRootKey {
  readonly pos: FastYamlPos;
  readonly value: 'block-sequence' | 'flow-sequence' | 'other';
  readonly items: readonly (FastYamlPos | undefined)[];
}

/** One document: its value and where its content starts (1-based), as `yaml` reports it. */
export interface FastYamlDoc {
  readonly value: unknown;
  readonly line: number;
  readonly column: number;
  /** Top-level keys of a mapping document; empty for a sequence document. */
  readonly keys: ReadonlyMap<string, FastRootKey>;
}

/** Thrown internally when the text leaves the subset; never escapes parseFastYaml. */
class OutsideSubset extends Error {}
const OUT = new OutsideSubset();

// Characters `yaml` treats specially or refuses (tabs, CR, BOM, control and C1 characters, the
// Unicode line separators): text containing any of them takes the full parser.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSUPPORTED_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** Words some YAML schema (1.1 or 1.2 core) reads as a bool or null, in any case. */
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

const NO_ITEMS: readonly (FastYamlPos | undefined)[] = [];

/** Every reserved word starts with one of y n o t f (either case): most words are ruled out by that. */
function isReserved(s: string): boolean {
  if (s.length > 5) return false;
  const c = s.charCodeAt(0) | 0x20;
  if (c !== 121 && c !== 110 && c !== 111 && c !== 116 && c !== 102) return false;
  return RESERVED.has(s.toLowerCase());
}

const SIMPLE_KEY = /^[A-Za-z_$/][A-Za-z0-9_.$/-]*$/;
const INT = /^-?(?:0|[1-9][0-9]{0,14})$/;
const FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
// A number followed by a unit (`16Gi`, `500m`, `30s`): a string under both schemas. A leading 0
// is excluded (`0x1f`, `0o7`, `0b1` are numbers).
const NUMBER_WITH_UNIT = /^[1-9][0-9]*[A-Za-z]+$/;

/**
 * The value of a plain scalar, or OUT if its meaning could differ between schemas or from a
 * string. Only `true`, `false`, `null`, `~`-free decimals and strings that no schema reads
 * otherwise are accepted.
 */
function plainValue(s: string): unknown {
  const c = s.charCodeAt(0);
  // A-Z a-z _ $ /
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 47) {
    if (isReserved(s)) {
      if (s === 'true') return true;
      if (s === 'false') return false;
      if (s === 'null') return null;
      throw OUT;
    }
    return s;
  }
  if (c === 46 /* . */) {
    // `.5`, `.inf`, `.nan` are numbers; `./x`, `../x`, `..` are paths.
    if (s === '..' || s.startsWith('./') || s.startsWith('../')) return s;
    throw OUT;
  }
  if (INT.test(s)) {
    if (s === '-0') throw OUT;
    return Number(s);
  }
  if (FLOAT.test(s)) return Number(s);
  if (NUMBER_WITH_UNIT.test(s)) return s;
  throw OUT;
}

/** Index of the ` #` that starts a comment in a plain scalar's line, or -1. */
function commentStart(s: string, from: number): number {
  for (let i = s.indexOf('#', from); i >= 0; i = s.indexOf('#', i + 1)) {
    if (i === from || s.charCodeAt(i - 1) === 32) return i;
  }
  return -1;
}

/** After a closed scalar only spaces and a comment may follow on the line. */
function onlyCommentAfter(s: string, from: number): void {
  let i = from;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  if (i === s.length) return;
  if (s.charCodeAt(i) === 35 /* # */ && i > from) return;
  throw OUT;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/** A one-line double-quoted scalar starting at `from`; returns the value and the index after it. */
function doubleQuoted(s: string, from: number): [string, number] {
  let out = '';
  let i = from + 1;
  let chunk = i;
  for (;;) {
    if (i >= s.length) throw OUT; // continues on the next line
    const ch = s.charCodeAt(i);
    if (ch === 34 /* " */) {
      out += s.slice(chunk, i);
      return [out, i + 1];
    }
    if (ch === 92 /* \ */) {
      const e = ESCAPES[s[i + 1] ?? ''];
      if (e === undefined) throw OUT;
      out += s.slice(chunk, i) + e;
      i += 2;
      chunk = i;
      continue;
    }
    i++;
  }
}

function singleQuoted(s: string, from: number): [string, number] {
  let out = '';
  let i = from + 1;
  for (;;) {
    const q = s.indexOf("'", i);
    if (q < 0) throw OUT;
    out += s.slice(i, q);
    if (s.charCodeAt(q + 1) === 39) {
      out += "'";
      i = q + 2;
      continue;
    }
    return [out, q + 1];
  }
}

/** `[a, "b", 3]` on one line: plain or quoted items, no nesting. */
function flowSequence(s: string, from: number): [unknown[], number] {
  const out: unknown[] = [];
  let i = from + 1;
  const skipSpaces = (): void => {
    while (s.charCodeAt(i) === 32) i++;
  };
  skipSpaces();
  if (s.charCodeAt(i) === 93 /* ] */) return [out, i + 1];
  for (;;) {
    skipSpaces();
    const ch = s[i];
    if (ch === '"') [out[out.length], i] = doubleQuoted(s, i);
    else if (ch === "'") [out[out.length], i] = singleQuoted(s, i);
    else {
      let j = i;
      while (j < s.length && !',[]{}#:'.includes(s[j] as string)) j++;
      const item = s.slice(i, j).trimEnd();
      if (item === '' || '-?!&*|>%@`'.includes(item[0] as string)) throw OUT;
      out.push(plainValue(item));
      i = j;
    }
    skipSpaces();
    const sep = s[i];
    if (sep === ']') return [out, i + 1];
    if (sep !== ',') throw OUT;
    i++;
  }
}

class FastParser {
  private readonly lines: string[];
  /** Index of the current line. */
  private i = 0;
  /** Positions of the current document's top-level keys (its mapping is the only one at indent 0). */
  private rootKeys = new Map<string, FastRootKey>();
  /** Set while reading a top-level key's value: where a block sequence there records its items. */
  private collectRootItems = false;
  /** Item positions of the last block sequence read with collectRootItems set. */
  private rootItems: (FastYamlPos | undefined)[] = [];

  constructor(text: string) {
    this.lines = text.split('\n');
  }

  /** Whether line `k` is a `---` document marker. */
  private isDocStart(k: number): boolean {
    const l = this.lines[k] as string;
    return l.startsWith('---') && (l.length === 3 || l.charCodeAt(3) === 32);
  }

  /** Moves past blank and comment lines; returns the indent of the next line, or -1 at a document end. */
  private next(): number {
    for (; this.i < this.lines.length; this.i++) {
      const l = this.lines[this.i] as string;
      let k = 0;
      while (k < l.length && l.charCodeAt(k) === 32) k++;
      if (k === l.length || l.charCodeAt(k) === 35) continue;
      if (k === 0) {
        if (this.isDocStart(this.i)) return -1;
        if (l.startsWith('...') || l.charCodeAt(0) === 37 /* % directive */) throw OUT;
      }
      return k;
    }
    return -1;
  }

  /**
   * All documents of the text. A `---` with nothing after it up to the next one or the end is a
   * document `yaml` gives a null value; with `keepEmpty` false such text is left to `yaml`.
   */
  documents(keepEmpty: boolean): FastYamlDoc[] {
    const docs: FastYamlDoc[] = [];
    let marked = false;
    for (;;) {
      const indent = this.next();
      if (this.i >= this.lines.length) {
        if (marked && !keepEmpty) throw OUT;
        return docs;
      }
      if (indent === -1) {
        if (marked && !keepEmpty) throw OUT;
        // `---` (with at most a comment after it) starts a document.
        onlyCommentAfter(this.lines[this.i] as string, 3);
        this.i++;
        marked = true;
        continue;
      }
      if (indent !== 0) throw OUT;
      marked = false;
      const line = this.i + 1;
      const keys = new Map<string, FastRootKey>();
      this.rootKeys = keys;
      const value = this.block(0);
      docs.push({ value, line, column: 1, keys });
      // A document's top collection must run to a `---` or the end of the text.
      if (this.next() !== -1) throw OUT;
    }
  }

  /** A block collection whose first line is the current one, at `indent`. */
  private block(indent: number, collect = false): unknown {
    const l = this.lines[this.i] as string;
    if (l.charCodeAt(indent) === 45 /* - */ && (l.length === indent + 1 || l.charCodeAt(indent + 1) === 32)) return this.sequence(indent, collect);
    return this.mapping(indent, indent);
  }

  /** The key of an entry at column `col` of the current line, and the index after its colon. */
  private key(col: number): [string, number] | undefined {
    const l = this.lines[this.i] as string;
    const colon = l.indexOf(':', col);
    if (colon < 0 || (colon + 1 < l.length && l.charCodeAt(colon + 1) !== 32)) return undefined;
    const key = l.slice(col, colon);
    if (!SIMPLE_KEY.test(key) || isReserved(key) || key === '__proto__') return undefined;
    return [key, colon + 1];
  }

  /** A block mapping at `indent`; its first key may sit at column `indent` of a `- ` line. */
  private mapping(indent: number, firstCol: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let col = firstCol;
    for (;;) {
      const k = this.key(col);
      if (!k) throw OUT;
      const [key, after] = k;
      if (Object.prototype.hasOwnProperty.call(out, key)) throw OUT; // `yaml` reports duplicates
      if (indent === 0) {
        const pos = { line: this.i + 1, column: 1 };
        this.collectRootItems = true;
        const line = this.i;
        out[key] = this.value(indent, after, true);
        this.collectRootItems = false;
        const v = out[key];
        // A flow sequence ends on its key's line; a block one takes at least the next line.
        const kind = !Array.isArray(v) ? 'other' : this.i === line + 1 ? 'flow-sequence' : 'block-sequence';
        this.rootKeys.set(key, { pos, value: kind, items: kind === 'block-sequence' ? this.rootItems : NO_ITEMS });
      } else out[key] = this.value(indent, after, true);
      const next = this.next();
      if (next < indent) return out;
      if (next > indent) throw OUT;
      col = indent;
    }
  }

  /** A block sequence at `indent`. */
  private sequence(indent: number, collect = false): unknown[] {
    const out: unknown[] = [];
    const positions: (FastYamlPos | undefined)[] | undefined = collect ? [] : undefined;
    if (positions) this.rootItems = positions;
    for (;;) {
      const l = this.lines[this.i] as string;
      let col = indent + 1;
      while (l.charCodeAt(col) === 32) col++;
      if (positions) {
        const inline = col < l.length && l.charCodeAt(col) !== 35;
        positions.push(inline ? { line: this.i + 1, column: col + 1 } : this.nextContent(indent));
      }
      if (col < l.length && l.charCodeAt(col) !== 35) {
        if (l.charCodeAt(col) === 45 && (col + 1 === l.length || l.charCodeAt(col + 1) === 32)) throw OUT; // `- - x`
        if (this.key(col)) out.push(this.mapping(col, col));
        else out.push(this.value(indent, indent + 1, false));
      } else {
        out.push(this.value(indent, indent + 1, false));
      }
      const next = this.next();
      if (next < indent) return out;
      if (next > indent) throw OUT;
      const n = this.lines[this.i] as string;
      if (!(n.charCodeAt(indent) === 45 && (n.length === indent + 1 || n.charCodeAt(indent + 1) === 32))) return out;
    }
  }

  /**
   * The value starting at column `from` of the current line, for an entry of a collection at
   * `indent`. Every value leaves the current line at the first line it did not use.
   */
  private value(indent: number, from: number, inMapping: boolean): unknown {
    const l = this.lines[this.i] as string;
    let s = from;
    while (l.charCodeAt(s) === 32) s++;
    if (s === l.length || l.charCodeAt(s) === 35) {
      if (s > from || s === l.length) return this.nested(indent, inMapping);
      throw OUT;
    }
    if (inMapping && s === from) throw OUT; // `key:value` is not a mapping entry
    const ch = l[s] as string;
    let value: unknown;
    let end: number;
    if (ch === '"') [value, end] = doubleQuoted(l, s);
    else if (ch === "'") [value, end] = singleQuoted(l, s);
    else if (ch === '[') [value, end] = flowSequence(l, s);
    else if (ch === '{') {
      let j = s + 1;
      while (l.charCodeAt(j) === 32) j++;
      if (l[j] !== '}') throw OUT;
      [value, end] = [{}, j + 1];
    } else if (ch === '|') return this.literal(l, s, indent);
    else if ('-?:,]}#&*!>%@`'.includes(ch)) {
      if (ch !== '-' || (!INT.test(l.slice(s).trimEnd()) && !FLOAT.test(l.slice(s).trimEnd()))) throw OUT;
      const text = l.slice(s).trimEnd();
      [value, end] = [plainValue(text), l.length];
    } else {
      const c = commentStart(l, s);
      const text = (c < 0 ? l.slice(s) : l.slice(s, c)).trimEnd();
      if (text.includes(': ') || text.endsWith(':')) throw OUT;
      [value, end] = [plainValue(text), l.length];
    }
    onlyCommentAfter(l, end);
    this.i++;
    return value;
  }

  /** Where the block nested under the current line starts, if there is one (else undefined). */
  private nextContent(indent: number): FastYamlPos | undefined {
    const here = this.i;
    this.i++;
    const next = this.next();
    const pos = next > indent ? { line: this.i + 1, column: next + 1 } : undefined;
    this.i = here;
    return pos;
  }

  /** The value of `key:` or `-` with nothing after it: a nested block, or null. */
  private nested(indent: number, inMapping: boolean): unknown {
    const collect = this.collectRootItems;
    this.collectRootItems = false;
    this.i++;
    const next = this.next();
    if (next > indent) return this.block(next, collect);
    if (next === indent && inMapping) {
      const l = this.lines[this.i] as string;
      // `key:` followed by `- item` at the key's own indent (the usual Kubernetes style).
      if (l.charCodeAt(indent) === 45 && (l.length === indent + 1 || l.charCodeAt(indent + 1) === 32)) return this.sequence(indent, collect);
    }
    return null;
  }

  /** A literal block scalar (`|` or `|-`) whose header is at column `s` of the current line. */
  private literal(l: string, s: number, indent: number): string {
    let h = s + 1;
    const strip = l[h] === '-';
    if (strip) h++;
    onlyCommentAfter(l, h);
    if (h < l.length && l.charCodeAt(h) !== 32) throw OUT;
    const body: string[] = [];
    let contentIndent = -1;
    let k = this.i + 1;
    for (; k < this.lines.length; k++) {
      const line = this.lines[k] as string;
      let sp = 0;
      while (sp < line.length && line.charCodeAt(sp) === 32) sp++;
      if (sp === line.length) {
        // A blank line: empty content, unless it has more spaces than the content (kept as spaces).
        if (contentIndent >= 0 ? sp > contentIndent : false) throw OUT;
        body.push('');
        continue;
      }
      if (contentIndent < 0) {
        if (sp <= indent) break;
        // Leading blank lines longer than the content indent are an error in `yaml`.
        for (let e = this.i + 1; e < k; e++) if ((this.lines[e] as string).length > sp) throw OUT;
        contentIndent = sp;
      }
      if (sp < contentIndent) break;
      body.push(line.slice(contentIndent));
    }
    // A block running to the end of a text without a final newline: let `yaml` decide.
    if (k === this.lines.length && (this.lines[k - 1] as string) !== '') throw OUT;
    this.i = k;
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    if (body.length === 0) return '';
    return strip ? body.join('\n') : `${body.join('\n')}\n`;
  }
}

/**
 * Parses `text` if it is inside the subset; undefined means "use `yaml`". Documents without
 * content are left out; `keepEmpty: false` declines text with a `---` followed by no content,
 * which `yaml` returns as a null document (the resource loader reports those).
 */
export function parseFastYaml(text: string, options: { keepEmpty?: boolean } = {}): FastYamlDoc[] | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  try {
    return new FastParser(text).documents(options.keepEmpty ?? true);
  } catch (err) {
    if (err === OUT) return undefined;
    throw err;
  }
}
