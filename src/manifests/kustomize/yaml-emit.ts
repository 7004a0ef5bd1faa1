/**
 * YAML output byte-compatible with `kubectl kustomize`, which prints each resource through
 * sigs.k8s.io/yaml: JSON first, then go-yaml v2. So we reproduce go-yaml v2's choices: keys in its
 * "natural" order, YAML 1.1 resolution deciding which strings need quotes, its scalar-style
 * analysis, 80-column folding of long plain/quoted scalars and indentless block sequences.
 */

const BEST_WIDTH = 80;

// --- key order (go-yaml v2 sorter.go) ----------------------------------------------------------

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

export function sortKeys(keys: string[]): string[] {
  return keys.sort((x, y) => (goYamlKeyLess(x, y) ? -1 : goYamlKeyLess(y, x) ? 1 : 0));
}

// --- YAML 1.1 resolution (go-yaml v2 resolve.go) -------------------------------------------------

const RESOLVE_MAP = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF',
  '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT_DOT = /^\.([0-9]+([eE][-+]?[0-9]+)?)$/;
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]| )[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?(Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?$/;

/** True when go-yaml v2 would read the unquoted text as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (s === '') return true;
  const c = s[0] as string;
  if (RESOLVE_MAP.has(s)) return true;
  if (c === '.') return GO_FLOAT_DOT.test(s);
  if (isDigit(c) || c === '+' || c === '-') {
    if (TIMESTAMP.test(s) && isValidDate(s)) return true;
    const plain = s.replace(/_/g, '');
    if (GO_INT.test(plain)) return true;
    if (YAML_STYLE_FLOAT.test(plain)) return true;
  }
  return false;
}

function isValidDate(s: string): boolean {
  const m = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})/.exec(s);
  if (!m) return false;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

// --- scalar analysis (go-yaml v2 emitterc.go) -----------------------------------------------------

const isPrintable = (cp: number): boolean =>
  cp === 0x0a ||
  (cp >= 0x20 && cp <= 0x7e) ||
  (cp >= 0xa0 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
const isBreak = (cp: number | undefined): boolean =>
  cp === 0x0d || cp === 0x0a || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isBlankZ = (cp: number | undefined): boolean => cp === undefined || cp === 0x20 || cp === 0x09 || isBreak(cp);

interface Analysis {
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

function analyze(cps: number[]): Analysis {
  if (cps.length === 0) return { blockPlain: true, singleQuoted: true, block: false };
  let blockIndicators = false;
  let specialCharacters = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (cps.length >= 3) {
    const head = String.fromCodePoint(...cps.slice(0, 3));
    if (head === '---' || head === '...') blockIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    const ch = String.fromCodePoint(cp);
    const followedByWhitespace = isBlankZ(cps[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      else if ((ch === '?' || ch === ':') && followedByWhitespace) blockIndicators = true;
      else if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else if (ch === ':' && followedByWhitespace) blockIndicators = true;
    else if (ch === '#' && precededByWhitespace) blockIndicators = true;
    if (!isPrintable(cp)) specialCharacters = true;
    if (cp === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(cp);
  }
  const a: Analysis = { blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) {
    a.blockPlain = false;
    a.singleQuoted = false;
  }
  if (spaceBreak || specialCharacters) {
    a.blockPlain = false;
    a.singleQuoted = false;
    a.block = false;
  }
  if (lineBreaks) a.blockPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

// --- writer -------------------------------------------------------------------------------------

class Writer {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent = 0;

  write(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }
  writeIndent(): void {
    if (!this.indention || this.column > this.indent || (this.column === this.indent && !this.whitespace)) {
      this.putBreak();
    }
    while (this.column < this.indent) this.write(' ');
    this.whitespace = true;
    this.indention = true;
  }
  indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.write(' ');
    this.write(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}

function writePlain(w: Writer, cps: number[], allowBreaks: boolean): void {
  if (!w.whitespace) w.write(' ');
  let spaces = false;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    if (cp === 0x20) {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && cps[i + 1] !== 0x20) {
        w.writeIndent();
      } else {
        w.write(' ');
      }
      spaces = true;
    } else {
      w.write(String.fromCodePoint(cp));
      w.indention = false;
      spaces = false;
    }
  }
  w.whitespace = false;
  w.indention = false;
}

function writeSingleQuoted(w: Writer, cps: number[], allowBreaks: boolean): void {
  w.indicator("'", true, false, false);
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    if (cp === 0x20) {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i > 0 && i < cps.length - 1 && cps[i + 1] !== 0x20) {
        w.writeIndent();
      } else {
        w.write(' ');
      }
      spaces = true;
    } else if (isBreak(cp)) {
      if (!breaks && cp === 0x0a) w.putBreak();
      w.putBreak();
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) w.writeIndent();
      if (cp === 0x27) w.write("'");
      w.write(String.fromCodePoint(cp));
      w.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  w.indicator("'", false, false, false);
}

function writeDoubleQuoted(w: Writer, cps: number[], allowBreaks: boolean): void {
  w.indicator('"', true, false, false);
  let spaces = false;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(cp) || cp === 0x22 || cp === 0x5c) {
      w.write('\\');
      switch (cp) {
        case 0x00: w.write('0'); break;
        case 0x07: w.write('a'); break;
        case 0x08: w.write('b'); break;
        case 0x09: w.write('t'); break;
        case 0x0a: w.write('n'); break;
        case 0x0b: w.write('v'); break;
        case 0x0c: w.write('f'); break;
        case 0x0d: w.write('r'); break;
        case 0x1b: w.write('e'); break;
        case 0x22: w.write('"'); break;
        case 0x5c: w.write('\\'); break;
        case 0x85: w.write('N'); break;
        case 0xa0: w.write('_'); break;
        case 0x2028: w.write('L'); break;
        case 0x2029: w.write('P'); break;
        default:
          if (cp <= 0xff) w.write('x' + cp.toString(16).toUpperCase().padStart(2, '0'));
          else if (cp <= 0xffff) w.write('u' + cp.toString(16).toUpperCase().padStart(4, '0'));
          else w.write('U' + cp.toString(16).toUpperCase().padStart(8, '0'));
      }
      spaces = false;
    } else if (cp === 0x20) {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i > 0 && i < cps.length - 1) {
        w.writeIndent();
        if (cps[i + 1] === 0x20) w.write('\\');
      } else {
        w.write(' ');
      }
      spaces = true;
    } else {
      w.write(String.fromCodePoint(cp));
      spaces = false;
    }
  }
  w.indicator('"', false, false, false);
}

function writeLiteral(w: Writer, cps: number[]): void {
  w.indicator('|', true, false, false);
  let hints = '';
  const first = cps[0];
  if (first === 0x20 || isBreak(first)) hints += '2';
  const last = cps[cps.length - 1];
  if (!isBreak(last)) hints += '-';
  else if (cps.length === 1 || isBreak(cps[cps.length - 2])) hints += '+';
  if (hints) w.write(hints);
  w.putBreak();
  w.indention = true;
  w.whitespace = true;
  let breaks = true;
  for (const cp of cps) {
    if (isBreak(cp)) {
      w.putBreak();
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) {
        w.writeIndent();
        breaks = false;
      }
      w.write(String.fromCodePoint(cp));
      w.indention = false;
    }
  }
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function emitString(w: Writer, s: string, simpleKey: boolean): void {
  const cps = [...s].map((c) => c.codePointAt(0) as number);
  let style: Style;
  if (s.includes('\n')) style = 'literal';
  else if (!resolvesToNonString(s) && !BASE60.test(s)) style = 'plain';
  else style = 'double';
  const a = analyze(cps);
  if (style === 'plain') {
    if (!a.blockPlain) style = 'single';
    if (cps.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  emitScalar(w, style, cps, simpleKey);
}

function emitScalar(w: Writer, style: Style, cps: number[], simpleKey: boolean): void {
  // Scalars are written one indentation step deeper than their parent (increase_indent(true)).
  const saved = w.indent;
  w.indent = saved + 2;
  switch (style) {
    case 'plain': writePlain(w, cps, !simpleKey); break;
    case 'single': writeSingleQuoted(w, cps, !simpleKey); break;
    case 'double': writeDoubleQuoted(w, cps, !simpleKey); break;
    case 'literal': writeLiteral(w, cps); break;
  }
  w.indent = saved;
}

/** Formats a number the way Go's JSON encoder and then go-yaml v2 print it. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (n === Infinity) return '.inf';
  if (n === -Infinity) return '-.inf';
  if (Number.isInteger(n) && Math.abs(n) < 9.2e18) return Object.is(n, -0) ? '0' : BigInt(n).toString();
  const [mant, expStr] = n.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6 || (Number.isInteger(n) && exp >= 21)) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

function emitPlainText(w: Writer, text: string): void {
  const saved = w.indent;
  w.indent = saved + 2;
  if (!w.whitespace) w.write(' ');
  w.write(text);
  w.whitespace = false;
  w.indention = false;
  w.indent = saved;
}

function emitNode(w: Writer, v: unknown, indent: number, context: 'map' | 'seq' | 'doc'): void {
  if (v === null || v === undefined) return emitPlainText(w, 'null');
  if (typeof v === 'string') {
    w.indent = indent;
    return emitString(w, v, false);
  }
  if (typeof v === 'number') return emitPlainText(w, formatNumber(v));
  if (typeof v === 'bigint') return emitPlainText(w, v.toString());
  if (typeof v === 'boolean') return emitPlainText(w, v ? 'true' : 'false');
  if (Array.isArray(v)) {
    if (v.length === 0) return emitPlainText(w, '[]');
    // go-yaml v2 writes sequences inside mappings "indentless".
    const seqIndent = context === 'map' ? indent : context === 'seq' ? indent + 2 : 0;
    for (const item of v) {
      w.indent = seqIndent;
      w.writeIndent();
      w.indicator('-', true, false, true);
      emitNode(w, item, seqIndent, 'seq');
    }
    return;
  }
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = sortKeys(Object.keys(obj).filter((k) => obj[k] !== undefined));
    if (keys.length === 0) return emitPlainText(w, '{}');
    const mapIndent = context === 'doc' ? 0 : indent + 2;
    for (const key of keys) {
      w.indent = mapIndent;
      w.writeIndent();
      w.indent = mapIndent;
      emitString(w, key, true);
      w.indicator(':', false, false, false);
      emitNode(w, obj[key], mapIndent, 'map');
    }
    return;
  }
  return emitPlainText(w, 'null');
}

/** One document, without the `---` separator, ending in a newline. */
export function emitDocument(value: unknown): string {
  const w = new Writer();
  w.indent = 0;
  emitNode(w, value, 0, 'doc');
  // A block literal already ends its last line; go-yaml adds no second break after it.
  return w.column === 0 && w.out !== '' ? w.out : w.out + '\n';
}
