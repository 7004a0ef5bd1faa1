import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isScalar, isSeq, type Node } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseFastYaml } from './fast-yaml.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * What `yaml` gives, as the callers configure it; undefined when it reports an error. The
 * kustomize renderer drops null documents; the resource loader keeps all but content-less ones.
 */
function reference(text: string, yaml11: boolean, keepNull = false): { value: unknown; line: number; column: number }[] | undefined {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, merge: yaml11, ...(yaml11 ? { version: '1.1' as const } : {}) });
  const list = Array.isArray(docs) ? docs : [];
  const out = [];
  for (const d of list) {
    if (d.errors.length > 0 || d.warnings.length > 0) return undefined;
    const c = d.contents;
    if (c === null || (!keepNull && isScalar(c) && (c.value === null || c.value === ''))) continue;
    const p = lc.linePos(c.range?.[0] ?? 0);
    out.push({ value: d.toJS({ maxAliasCount: 1000 }) as unknown, line: p.line, column: p.col });
  }
  return out;
}

/** Top-level key and block-sequence item positions as `yaml` reports them. */
type Pos = { line: number; column: number };
type KeyInfo = { pos: Pos | undefined; value: string; items: (Pos | undefined)[] };

function referenceKeys(text: string): Map<string, KeyInfo>[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  const pos = (n: Node | null | undefined): Pos | undefined => {
    if (!n?.range) return undefined;
    const p = lc.linePos(n.range[0]);
    return { line: p.line, column: p.col };
  };
  const out: Map<string, KeyInfo>[] = [];
  for (const d of Array.isArray(docs) ? docs : []) {
    const c = d.contents;
    if (c === null || (isScalar(c) && (c.value === null || c.value === ''))) continue;
    const keys = new Map<string, KeyInfo>();
    if (isMap(c)) {
      for (const pair of c.items) {
        const v = pair.value;
        const value = isSeq(v) ? (v.flow ? 'flow-sequence' : 'block-sequence') : 'other';
        // Items with no content are left to `yaml` by the fast parser (it reports them undefined).
        const items = value === 'block-sequence' && isSeq(v) ? v.items.map((n) => (isScalar(n) && n.value === null && n.source === '' ? undefined : pos(n))) : [];
        keys.set(String((pair.key as { value: unknown }).value), { pos: pos(pair.key), value, items });
      }
    }
    out.push(keys);
  }
  return out;
}

/** The fast parser either declines or agrees with `yaml` under YAML 1.2 and 1.1 alike. */
function expectAgrees(text: string): boolean {
  const fast = parseFastYaml(text);
  if (fast === undefined) return false;
  for (const yaml11 of [false, true]) {
    const ref = reference(text, yaml11);
    expect(ref, `yaml refuses what the fast parser accepted (yaml11=${yaml11}):\n${text}`).toBeDefined();
    expect(fast.map(({ value, line, column }) => ({ value, line, column })), `differs from yaml (yaml11=${yaml11}):\n${text}`).toEqual(ref);
  }
  expect(fast.map((d) => d.keys), `positions differ from yaml:\n${text}`).toEqual(referenceKeys(text));
  const strict = parseFastYaml(text, { keepEmpty: false });
  if (strict !== undefined) expect(strict.map(({ value, line, column }) => ({ value, line, column })), `differs from yaml with null documents:\n${text}`).toEqual(reference(text, false, true));
  return true;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$|^Kustomization$/.test(e.name)) out.push(p);
  }
  return out;
}

// A deterministic PRNG so a failure reproduces.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SNIPPETS = [' ', '  ', '\t', '#', ' #x', ':', ': ', '- ', '-', '"', "'", '[', ']', '{', '}', ',', '|', '|-', '>', '&a ', '*a', '!!str ', '---', '...', 'yes', 'on', 'Null', '~', '0x1f', '1e3', '.5', '0755', '1_000', '12:30', '2024-01-01', '<<', '__proto__', '\\', '\\u0041', '\r', 'é', '\u2028'];

function mutate(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const k = Math.floor(rand() * lines.length);
  const line = lines[k] ?? '';
  const op = Math.floor(rand() * 5);
  const pos = Math.floor(rand() * (line.length + 1));
  const snippet = SNIPPETS[Math.floor(rand() * SNIPPETS.length)] ?? '';
  if (op === 0) lines[k] = line.slice(0, pos) + snippet + line.slice(pos);
  else if (op === 1) lines[k] = line.slice(0, pos) + line.slice(pos + 1);
  else if (op === 2) lines.splice(k, 0, line);
  else if (op === 3) lines.splice(k, 1);
  else lines[k] = ` ${line}`;
  return lines.join('\n');
}

describe('fast YAML subset parser', () => {
  const files = [...yamlFiles(join(ROOT, 'examples')), ...yamlFiles(join(ROOT, 'test/fixtures'))];

  it('agrees with yaml on every YAML file of the examples and fixtures it accepts', () => {
    let accepted = 0;
    for (const f of files) if (expectAgrees(readFileSync(f, 'utf8'))) accepted++;
    // Most real files are inside the subset; if this drops, the fast path stopped paying off.
    expect(accepted).toBeGreaterThan(files.length * 0.6);
  });

  it('agrees with yaml or declines on mutated variants of those files', () => {
    const rand = rng(20261122);
    let accepted = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (let n = 0; n < 25; n++) {
        let t = text;
        const edits = 1 + Math.floor(rand() * 3);
        for (let e = 0; e < edits; e++) t = mutate(t, rand);
        if (expectAgrees(t)) accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(0);
    // Generous: ~6,000 variants each parsed by both parsers take seconds on a loaded machine.
  }, 120_000);

  it.each([
    'a: 1\nb: -2\nc: 1.5\nd: true\ne: false\nf: null\ng:\nh: text with spaces # comment\n',
    'a: "q \\" \\\\ \\n x" # c\nb: \'it\'\'s\'\nc: []\nd: {}\ne: [a, "b", 3, \'c\']\n',
    'list:\n- a\n- b: 1\n  c: 2\n-\n  d: 3\n- \n- [x]\nafter: 1\n',
    'resources:\n  - a\n  -\n  - # note\n    k: 1\n  - |\n    x\nflow: [a, b]\nscalar: x\n',
    'x:\n  - 1\n  -   k: 2\n      z: 3\n',
    'script: |\n  line 1\n\n    indented\n  # not a comment\n\nnext: |-\n  kept\n\n\nlast: 1\n',
    'empty: |\nnext: 2\n',
    '# leading comment\n---\na: 1\n---\n# only a comment\n---\n- op: add\n  path: /x\n  value: 1\n',
    'a: 16Gi\nb: 500m\nc: ../../base\nd: ./x.yaml\ne: nginx:1.25\nf: http://x/y\ng: /spec/replicas\nh: $HOME\n',
    'metadata:\n  labels:\n    app.kubernetes.io/name: x\n    nvidia.com/gpu: "1"\n',
  ])('accepts and agrees: %j', (text) => {
    expect(expectAgrees(text)).toBe(true);
  });

  it.each([
    'a: yes\n', 'a: on\n', 'a: Null\n', 'a: ~\n', 'a: 0755\n', 'a: 0x1f\n', 'a: 1e3\n', 'a: .5\n', 'a: 12:30\n',
    'a: 2024-01-01\n', 'a: 1_000\n', 'a: -0\n', 'a: +1\n', '<<: {}\n', 'a: &x 1\nb: *x\n', 'a: !!str 1\n',
    'a: 1\na: 2\n', 'a:\n\tb: 1\n', 'a: >\n  folded\n', 'a: |+\n  kept\n', 'a: |2\n  x\n', 'a: b\n  continued\n',
    'a: "multi\n  line"\n', 'a: {b: 1}\n', '"quoted": 1\n', '8080: x\n', 'yes: 1\n', '__proto__: 1\n', 'a: 1\n...\n',
    '%YAML 1.2\n---\na: 1\n', '  a: 1\n', 'a:b\n', 'a: b: c\n', '- - a\n', 'plain scalar\n', 'a: |\n  x',
  ])('declines: %j', (text) => {
    expect(parseFastYaml(text)).toBeUndefined();
  });

  it.each(['a: 1\n---\n', '---\n# c\n---\na: 1\n', 'a: 1\n---'])('leaves null documents to yaml when asked: %j', (text) => {
    expect(expectAgrees(text)).toBe(true);
    expect(parseFastYaml(text, { keepEmpty: false })).toBeUndefined();
  });
});
