import { describe, expect, it } from 'vitest';
import { emitDocument, formatNumber, goYamlKeyLess } from './yaml-emit.ts';

describe('go-yaml v2 compatible emitter', () => {
  it('orders keys the way go-yaml v2 does', () => {
    expect(goYamlKeyLess('a-b', 'ab')).toBe(true);
    expect(goYamlKeyLess('a9', 'a10')).toBe(true);
    expect(goYamlKeyLess('B', 'a')).toBe(true);
  });

  it('quotes what YAML 1.1 would misread and nothing else', () => {
    expect(emitDocument({ a: 'yes', b: '1', c: 'hello', d: '', e: 'a: b', f: '~', g: '1.2.3', n: 'x' })).toBe(
      'a: "yes"\nb: "1"\nc: hello\nd: ""\ne: \'a: b\'\nf: "~"\ng: 1.2.3\n"n": x\n',
    );
  });

  it('writes block literals and indentless sequences', () => {
    expect(emitDocument({ s: 'l1\nl2\n', l: [{ a: 1, b: [] }], m: {} })).toBe('l:\n- a: 1\n  b: []\nm: {}\ns: |\n  l1\n  l2\n');
  });

  it('formats numbers like Go JSON then go-yaml', () => {
    expect(formatNumber(2)).toBe('2');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(1234567.5)).toBe('1.2345675e+06');
    expect(formatNumber(0.00001)).toBe('1e-05');
  });
});
