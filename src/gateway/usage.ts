/** Token usage as OpenAI reports it in `usage`. */
export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

const TAIL = 4096;

function parseUsageAt(text: string, at: number): Usage | undefined {
  const open = text.indexOf('{', at + 7);
  if (open < 0) return undefined;
  // Only whitespace and a colon may sit between the key and its object (else it is `"usage": null`).
  for (let i = at + 7; i < open; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x3a && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return undefined;
  }
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      // The two counts are plain integers in every server we know: read them in place (a JSON.parse
      // of the object measured as the largest single cost of this function per request). Anything
      // else (exponents, fractions, nested look-alikes) falls back to JSON.parse.
      const prompt = integerField(text, open, i, '"prompt_tokens"');
      const completion = integerField(text, open, i, '"completion_tokens"');
      if (prompt !== undefined && completion !== undefined) return { promptTokens: prompt, completionTokens: completion };
      try {
        const u = JSON.parse(text.slice(open, i + 1)) as { prompt_tokens?: unknown; completion_tokens?: unknown };
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
 * The value of `"key": <digits>` at depth one of the object text[open..close], when it is a plain
 * non-negative integer followed by `,` or `}`; 0 when the key is absent at that depth (as the JSON.parse
 * path answers); undefined when it is there in any other form (the caller then parses properly).
 */
function integerField(text: string, open: number, close: number, key: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = open; i < close; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x22) {
      if (depth === 1 && text.startsWith(key, i)) {
        let j = i + key.length;
        while (j < close && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x3a || text.charCodeAt(j) === 0x0a || text.charCodeAt(j) === 0x0d || text.charCodeAt(j) === 0x09)) j++;
        let n = 0;
        const start = j;
        for (; j < close; j++) {
          const d = text.charCodeAt(j) - 0x30;
          if (d < 0 || d > 9) break;
          n = n * 10 + d;
        }
        if (j === start || j - start > 15) return undefined;
        while (j <= close && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x0a || text.charCodeAt(j) === 0x0d || text.charCodeAt(j) === 0x09)) j++;
        const after = text.charCodeAt(j);
        return after === 0x2c || after === 0x7d ? n : undefined;
      }
      inString = true;
    }
  }
  return 0;
}

/**
 * Finds the last `"usage": {...}` object in a response body or SSE chunk without parsing the whole
 * body: an embeddings answer can be megabytes of floats, and usage sits at its end, so the tail is
 * searched first (as latin1: a byte-for-byte string, cheap to make, exact for the ASCII we look at).
 */
export function extractUsage(buf: Buffer): Usage | undefined {
  if (buf.length > TAIL) {
    const tail = buf.toString('latin1', buf.length - TAIL);
    const at = tail.lastIndexOf('"usage"');
    if (at >= 0) {
      const u = parseUsageAt(tail, at);
      if (u) return u;
    }
  }
  const text = buf.toString('latin1');
  const at = text.lastIndexOf('"usage"');
  return at < 0 ? undefined : parseUsageAt(text, at);
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
