/** Token usage as OpenAI reports it in `usage`. */
export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

const USAGE = Buffer.from('"usage"');

/**
 * Finds the last `"usage": {...}` object in a response body or SSE chunk without parsing the whole
 * body: an embeddings answer can be megabytes of floats, usage sits at its end.
 */
export function extractUsage(buf: Buffer): Usage | undefined {
  const at = buf.lastIndexOf(USAGE);
  if (at < 0) return undefined;
  const open = buf.indexOf(0x7b /* { */, at + USAGE.length);
  if (open < 0) return undefined;
  // Only whitespace and a colon may sit between the key and its object (else it is `"usage": null`).
  for (let i = at + USAGE.length; i < open; i++) {
    const c = buf[i];
    if (c !== 0x3a && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return undefined;
  }
  let depth = 0;
  for (let i = open; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      try {
        const u = JSON.parse(buf.subarray(open, i + 1).toString('utf8')) as { prompt_tokens?: unknown; completion_tokens?: unknown };
        const promptTokens = typeof u.prompt_tokens === 'number' ? u.prompt_tokens : 0;
        const completionTokens = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0;
        return { promptTokens, completionTokens };
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Tokens to reserve against a tokens-per-minute limit before the answer is known: a prompt estimate
 * (4 bytes a token, OpenAI's rule of thumb) plus `max_tokens` (or `max_completion_tokens`).
 * Settled against the real `usage` afterwards.
 */
export function estimateTokens(bodyBytes: number, body: { max_tokens?: unknown; max_completion_tokens?: unknown }, defaultMaxTokens: number): number {
  const max = typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : typeof body.max_tokens === 'number' ? body.max_tokens : defaultMaxTokens;
  return Math.ceil(bodyBytes / 4) + Math.max(0, max);
}
