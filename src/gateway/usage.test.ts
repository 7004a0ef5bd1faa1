import { describe, expect, it } from 'vitest';
import { estimateTokens, extractUsage } from './usage.ts';

describe('extractUsage', () => {
  it('reads usage from a whole answer and from the last SSE chunk', () => {
    expect(extractUsage(Buffer.from('{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9,"prompt_tokens_details":{"cached_tokens":0}}}'))).toEqual({ promptTokens: 5, completionTokens: 4 });
    expect(extractUsage(Buffer.from('data: {"choices":[],"usage": {"prompt_tokens":7,"completion_tokens":64}}\n\ndata: [DONE]\n\n'))).toEqual({ promptTokens: 7, completionTokens: 64 });
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
