import type { Diagnostic } from '../../errors/index.ts';
import type { RepoTextFile } from '../../manifests/index.ts';
import { isHighEntropy } from './entropy.ts';
import { PATTERN_PREFILTER, SECRET_PATTERNS } from './patterns.ts';

/** A line carrying this marker is skipped (test fixtures, documented dummy keys). */
export const ALLOW_MARKER = 'ployd:allow-secret';

const SUGGESTION = 'keep the value in a Secret and reference it (secretRef, valueFrom.secretKeyRef, ${ENV}, env:NAME)';

/**
 * Shows enough of a secret to find it, never enough to use it: the first 4 characters of a long
 * value, fewer of a short one.
 */
export function maskSecret(value: string): string {
  if (value.length >= 12) return `${value.slice(0, 4)}…`;
  if (value.length >= 8) return `${value.slice(0, 2)}…`;
  return '…';
}

type KeyClass = 'password' | 'secret';

/**
 * Credential-like key names, compared lower-cased without `_ - .`, by suffix so that
 * `maxTokens`, `tokenizer`, `secretRef`, `passwordFile` and `tierClaim` stay out.
 */
const PASSWORD_KEY = /(password|passwd|passphrase|pwd)$/;
const SECRET_KEY =
  /(secret|secretkey|clientsecret|apikey|accesskey|secretaccesskey|privatekey|token|accesstoken|authtoken|bearertoken|refreshtoken|credential|credentials|signingkey|encryptionkey|webhooksecret|hmackey)$/;

export function classifyKey(key: string): KeyClass | undefined {
  const k = key.toLowerCase().replace(/[-_.\s]/g, '');
  if (PASSWORD_KEY.test(k)) return 'password';
  if (SECRET_KEY.test(k)) return 'secret';
  return undefined;
}

// `$1`, `$@` (shell arguments), `*alias` (a YAML alias to a value defined elsewhere) and `!secret x`
// (a tag resolved by the consuming tool) are references too.
const REFERENCE =
  /^(\$\{|\$\(|\$[A-Za-z_0-9@*#?]|\{\{|\*[A-Za-z0-9_-]+$|!|env:|vault:|secret:|secretref:|ref\+|op:\/\/|sm:\/\/|awssm:|aws-sm:|gcpsm:|azkv:|file:|k8s:|arn:aws:secretsmanager)/i;
const PLACEHOLDER = /^(<[^>]*>|x{3,}|\*{3,}|\.{3}|…|redacted|placeholder|todo|tbd|none|null|nil|~|true|false|your[-_ ].*|replace[-_ ]?me|<no value>)$/i;

/** A value that refers to a secret kept elsewhere, or a stand-in, rather than a secret itself. */
export function isReferenceOrPlaceholder(value: string): boolean {
  return value === '' || REFERENCE.test(value) || PLACEHOLDER.test(value);
}

interface Finding {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

interface KeyFrame {
  readonly indent: number;
  readonly key: string;
}

const ASSIGNMENT = /^(\s*)(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
const LIST_ASSIGNMENT = /^(\s*-\s+)["']?([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/;
const ENV_FILE = /(^|\/)\.env(\.[^/]*)?$|\.(env|properties|ini|cfg|conf|sh|bash)$/i;
const YAML_FILE = /\.(ya?ml|json)$/i;

interface KeyLine {
  /** Column (0-based) where the key starts: its nesting level, list dashes included. */
  readonly indent: number;
  readonly key: string;
  /** Everything after `key:`. */
  readonly rawValue: string;
  /** 0-based index where rawValue starts. */
  readonly valueIndex: number;
}

const NOT_A_KEY_START = new Set(['{', '[', '&', '*', '!', '|', '>', '%', '@', '`', '?', '#', ',', ']', '}']);

/**
 * `  - key: value` → key and value, by hand: a regex with optional groups backtracks
 * quadratically on long lines without a colon, and this runs on every line of a repo.
 */
export function parseKeyLine(line: string): KeyLine | undefined {
  let i = 0;
  while (line[i] === ' ') i++;
  while (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ')) {
    i++;
    while (line[i] === ' ') i++;
  }
  const indent = i;
  const first = line[i];
  if (first === undefined || NOT_A_KEY_START.has(first)) return undefined;
  let key: string;
  let colon: number;
  if (first === '"' || first === "'") {
    const end = line.indexOf(first, i + 1);
    if (end < 0) return undefined;
    key = line.slice(i + 1, end);
    colon = end + 1;
    while (line[colon] === ' ') colon++;
    if (line[colon] !== ':') return undefined;
  } else {
    colon = -1;
    for (let j = i; j < line.length; j++) {
      const ch = line[j];
      if (ch === ':' && (j + 1 === line.length || line[j + 1] === ' ' || line[j + 1] === '\t')) {
        colon = j;
        break;
      }
      if (ch === '#' && line[j - 1] === ' ') return undefined;
    }
    if (colon < 0) return undefined;
    key = line.slice(i, colon).trimEnd();
    if (key === '') return undefined;
  }
  let v = colon + 1;
  while (line[v] === ' ' || line[v] === '\t') v++;
  return { indent, key, rawValue: line.slice(v), valueIndex: v };
}

/** Splits a raw scalar into its value and the column offset where the value starts. */
function scalar(raw: string): { value: string; offset: number; quoted: boolean } {
  let s = raw;
  const lead = s.length - s.trimStart().length;
  s = s.trim();
  if (s.startsWith('"') || s.startsWith("'")) {
    const q = s[0] ?? '"';
    const end = s.indexOf(q, 1);
    return { value: end > 0 ? s.slice(1, end) : s.slice(1), offset: lead + 1, quoted: true };
  }
  // A comment starts at ` #`; JSON leaves a trailing comma.
  const hash = s.search(/\s#/);
  if (hash >= 0) s = s.slice(0, hash).trimEnd();
  if (s.endsWith(',')) s = s.slice(0, -1).trimEnd();
  return { value: s, offset: lead, quoted: false };
}

function isBlockIndicator(v: string): boolean {
  return /^[|>][-+0-9]*$/.test(v);
}

interface DocInfo {
  readonly kind?: string;
  readonly name?: string;
}

/** `kind` and `metadata.name` of each YAML document, by the document's first line index. */
function documentInfo(lines: readonly string[], from: number, to: number): DocInfo {
  let kind: string | undefined;
  let name: string | undefined;
  let inMeta = false;
  for (let i = from; i < to; i++) {
    const l = lines[i] ?? '';
    const k = /^kind:\s*["']?([A-Za-z0-9]+)["']?\s*(#.*)?$/.exec(l);
    if (k) kind = k[1];
    if (/^metadata:\s*$/.test(l)) inMeta = true;
    else if (/^\S/.test(l)) inMeta = false;
    else if (inMeta && name === undefined) {
      const n = /^\s+name:\s*["']?([^"'\s#]+)/.exec(l);
      if (n) name = n[1];
    }
  }
  return { ...(kind ? { kind } : {}), ...(name ? { name } : {}) };
}

function patternFindings(line: string, lineNo: number, out: Finding[]): number {
  if (!PATTERN_PREFILTER.test(line)) return 0;
  let found = 0;
  const taken: [number, number][] = [];
  for (const p of SECRET_PATTERNS) {
    p.regex.lastIndex = 0;
    for (let m = p.regex.exec(line); m !== null; m = p.regex.exec(line)) {
      const secret = m[p.group ?? 0] ?? m[0];
      const start = m.index + (p.group ? m[0].indexOf(secret) : 0);
      const end = start + secret.length;
      if (taken.some(([a, b]) => start < b && end > a)) continue;
      if (p.accept && !p.accept(secret)) continue;
      taken.push([start, end]);
      found++;
      const shown = p.id === 'private-key' ? '' : ` (${maskSecret(secret)})`;
      out.push({ line: lineNo, column: start + 1, message: `plaintext ${p.label}${shown} is committed` });
    }
  }
  return found;
}

/**
 * Scans one file's raw text. Known credential formats are found anywhere (code, comments, block
 * scalars); credential-named keys are checked in YAML/JSON mappings, `KEY=value` files and
 * `- KEY=value` list items (kustomize secretGenerator literals); Kubernetes Secret `data` and
 * `stringData` entries are findings unless empty.
 */
export function scanText(path: string, text: string): Diagnostic[] {
  const lines = text.split(/\r?\n/);
  const findings: Finding[] = [];
  const yamlLike = YAML_FILE.test(path);
  const envLike = ENV_FILE.test(path);
  // Document boundaries for YAML: a Secret's data is judged by the document's kind.
  const docStarts = [0];
  if (yamlLike) lines.forEach((l, i) => /^---(\s|$)/.test(l) && docStarts.push(i + 1));
  let docIndex = 0;
  let doc: DocInfo = yamlLike ? documentInfo(lines, 0, docStarts[1] ?? lines.length) : {};
  const stack: KeyFrame[] = [];
  let block: number | undefined; // indentation of the key owning a block scalar we are inside
  let envName: { indent: number; name: string } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const lineNo = i + 1;
    if (yamlLike && i === docStarts[docIndex + 1]) {
      docIndex++;
      doc = documentInfo(lines, i, docStarts[docIndex + 1] ?? lines.length);
      stack.length = 0;
      block = undefined;
      envName = undefined;
    }
    if (line.includes(ALLOW_MARKER)) continue;
    const patterned = patternFindings(line, lineNo, findings);
    const trimmed = line.trimStart();
    const indent = line.length - trimmed.length;
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (block !== undefined) {
      if (indent > block) continue;
      block = undefined;
    }
    let key: string | undefined;
    let rawValue = '';
    let valueColumn = 0;
    let keyIndent = indent;
    const listAssign = LIST_ASSIGNMENT.exec(line);
    const m = listAssign ? undefined : yamlLike || !envLike ? parseKeyLine(line) : undefined;
    if (m) {
      keyIndent = m.indent;
      key = m.key;
      rawValue = m.rawValue;
      valueColumn = m.valueIndex;
    } else if (listAssign) {
      key = listAssign[2] ?? '';
      // `- "KEY=value"`: the closing quote belongs to the list item, not the value.
      rawValue = (listAssign[3] ?? '').trimEnd().replace(/["']$/, '');
      valueColumn = (listAssign[1]?.length ?? 0) + key.length + 1;
      keyIndent = -1; // not a mapping key: does not change the stack
    } else if (envLike) {
      const a = ASSIGNMENT.exec(line);
      if (a) {
        key = a[2] ?? '';
        rawValue = a[3] ?? '';
        valueColumn = line.length - rawValue.length;
      }
    }
    if (key === undefined) continue;

    if (keyIndent >= 0) {
      while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? -1) >= keyIndent) stack.pop();
    }
    const parents = stack.map((f) => f.key);
    if (keyIndent >= 0) stack.push({ indent: keyIndent, key });
    const { value, offset } = scalar(rawValue);
    if (isBlockIndicator(value)) block = keyIndent;
    const column = valueColumn + offset + 1;

    // A pattern already named this line's secret; the structure above is still tracked.
    if (patterned > 0) continue;
    if (parents.some((p) => p === 'encryptedData' || p === 'secretKeyRef' || p === 'secretRef' || p === 'valueFrom')) continue;
    if (doc.kind === 'SealedSecret') continue;

    // A Kubernetes Secret's data/stringData: any non-empty value is committed key material.
    const parent = parents[parents.length - 1];
    if (doc.kind === 'Secret' && parents.length === 1 && (parent === 'data' || parent === 'stringData')) {
      if (value === '' || value === '""' || value === "''" || value === '{}' || value === 'null' || value === '~') continue;
      const what = parent === 'data' ? 'base64 is an encoding, not encryption' : 'stringData is plaintext';
      const shown = isBlockIndicator(value) ? '' : ` (${maskSecret(value)})`;
      findings.push({
        line: lineNo,
        column: isBlockIndicator(value) ? keyIndent + 1 : column,
        message: `Secret ${doc.name ? `${doc.name} ` : ''}stores ${key} in the repo${shown}: ${what}; use a SealedSecret or an ExternalSecret, or reference an existing Secret with secretRef`,
      });
      continue;
    }

    // Kubernetes env lists: `- name: API_TOKEN` then `value: …` at the same indentation.
    let effectiveKey = key;
    if (key === 'name' && keyIndent >= 0) envName = { indent: keyIndent, name: value };
    else if (key === 'value' && envName && envName.indent === keyIndent) effectiveKey = envName.name;
    const cls = classifyKey(effectiveKey);
    if (!cls || value === '' || isBlockIndicator(value) || isReferenceOrPlaceholder(value)) continue;
    const literal = !/[()[\]{}]/.test(value) || /^["']/.test(rawValue.trim());
    if (!literal) continue;
    if (cls === 'password') {
      findings.push({ line: lineNo, column, message: `plaintext password under ${effectiveKey} (${maskSecret(value)}) is committed` });
    } else if (isHighEntropy(value)) {
      findings.push({ line: lineNo, column, message: `high-entropy value under ${effectiveKey} (${maskSecret(value)}) looks like a committed secret` });
    }
  }
  return findings.map((f) => ({
    severity: 'error' as const,
    code: 'E_SECRET_PLAINTEXT' as const,
    message: f.message,
    file: path,
    line: f.line,
    column: f.column,
    suggestion: SUGGESTION,
  }));
}

/** Scans raw text files for committed secrets (see scanText). */
export function scanSecrets(files: readonly RepoTextFile[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of files) out.push(...scanText(f.path, f.text));
  return out;
}
