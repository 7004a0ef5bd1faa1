import type { Rng } from './prng.ts';

/**
 * The simulator runs no tokenizer. A "token" is a run of letters/digits or a single punctuation
 * mark, each carrying the whitespace before it, so joining the tokens gives back the text exactly.
 * English prose comes out near 1.1–1.3× the word count — close to, but not equal to, BPE counts.
 */
const TOKEN_RE = /\s*(?:[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])|\s+$/gu;

export function tokenize(text: string): string[] {
  return text.match(TOKEN_RE) ?? [];
}

export function countTokens(text: string): number {
  if (text === '') return 0;
  let n = 0;
  TOKEN_RE.lastIndex = 0;
  while (TOKEN_RE.exec(text) !== null) n++;
  return n;
}

const WORDS = (
  'the of and to in is that for it as with was on be by this are from at or an which have not ' +
  'model server token request latency replica gateway stream cache queue batch prompt answer ' +
  'system data value time result first next each other more most some such only over also new ' +
  'simulated response generated output text sample deterministic seed running waiting ready'
).split(' ');

/**
 * `count` pseudo-words from a seeded generator, with a comma or full stop now and then so the text
 * looks like prose. Same generator state, same text.
 */
export function randomTokens(rng: Rng, count: number): string[] {
  const out: string[] = [];
  let sinceStop = 0;
  while (out.length < count) {
    const word = WORDS[rng.int(WORDS.length)] ?? 'token';
    out.push(out.length === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : ` ${word}`);
    sinceStop++;
    if (out.length < count && sinceStop > 3) {
      const r = rng.next();
      if (r < 0.12) {
        out.push('.');
        sinceStop = 0;
      } else if (r < 0.2) out.push(',');
    }
  }
  return out;
}
