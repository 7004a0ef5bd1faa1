import { describe, expect, it } from 'vitest';
import { estimateTokens, extractUsage } from './usage.ts';

describe('extractUsage', () => {
  it('reads usage from a whole answer and from the last SSE chunk', () => {
    expect(extractUsage(Buffer.from('{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9,"prompt_tokens_details":{"cached_tokens":0}}}'))).toEqual({ promptTokens: 5, completionTokens: 4 });
    expect(extractUsage(Buffer.from('data: {"choices":[],"usage": {"prompt_tokens":7,"completion_tokens":64}}\n\ndata: [DONE]\n\n'))).toEqual({ promptTokens: 7, completionTokens: 64 });
  });
  it('reads the counts in place and falls back to a full parse for unusual forms', () => {
    const u = (usage: string): unknown => extractUsage(Buffer.from(`{"choices":[],"usage":${usage}}`));
    // Key order, whitespace, a nested look-alike and a string look-alike do not confuse the scan.
    expect(u('{ "completion_tokens" : 12 ,\n "prompt_tokens":\t3 }')).toEqual({ promptTokens: 3, completionTokens: 12 });
    expect(u('{"details":{"prompt_tokens":99},"note":"\\"prompt_tokens\\":98","prompt_tokens":4,"completion_tokens":5}')).toEqual({ promptTokens: 4, completionTokens: 5 });
    // Forms the in-place reader does not take go through JSON.parse, with its answer.
    expect(u('{"prompt_tokens":1e2,"completion_tokens":2.0}')).toEqual({ promptTokens: 100, completionTokens: 2 });
    expect(u('{"prompt_tokens":"7","completion_tokens":2}')).toEqual({ promptTokens: 0, completionTokens: 2 });
    // A missing count is 0, as before.
    expect(u('{"completion_tokens":2}')).toEqual({ promptTokens: 0, completionTokens: 2 });
  });
  it('ignores `usage: null` and bodies without usage', () => {
    expect(extractUsage(Buffer.from('{"usage":null,"x":{"a":1}}'))).toBeUndefined();
    expect(extractUsage(Buffer.from('{"choices":[]}'))).toBeUndefined();
  });
  it('estimates a reservation from prompt bytes and max_tokens', () => {
    expect(estimateTokens(400, { max_tokens: 50 }, 256)).toBe(150);
    expect(estimateTokens(400, { max_completion_tokens: 10, max_tokens: 50 }, 256)).toBe(110);
    expect(estimateTokens(400, {}, 256)).toBe(356);
  });
});
