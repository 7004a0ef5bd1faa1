import { METHODS } from 'node:http';
import { createRequire } from 'node:module';
import { MAX_HEADER_BYTES, type Case } from './cases.ts';

/**
 * node's own request parser (llhttp, through node:_http_common), driven directly with node:http's
 * settings: the reference where node:http itself answers less than llhttp frames.
 */
export interface LlMessage {
  readonly method: string;
  readonly url: string;
  body: Buffer[];
  complete: boolean;
  readonly upgrade: boolean;
  readonly keepAlive: boolean;
}

interface LlParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(b: Buffer): number | Error;
  close(): void;
  [k: number]: unknown;
}
interface HttpCommon {
  HTTPParser: { new (): LlParser; REQUEST: number; kOnMessageBegin: number; kOnHeaders: number; kOnHeadersComplete: number; kOnBody: number; kOnMessageComplete: number; kOnExecute: number; kOnTimeout: number; kLenientNone: number };
}
const common = createRequire(import.meta.url)('_http_common') as HttpCommon;

/** llhttp reports methods by its own enum index: learn the mapping by parsing one request per name. */
const LL_METHODS = new Map<number, string>();
for (const name of METHODS) {
  const P = common.HTTPParser;
  const parser = new P();
  parser.initialize(P.REQUEST, {}, MAX_HEADER_BYTES, P.kLenientNone);
  parser[P.kOnHeadersComplete] = (_maj: number, _min: number, _h: unknown, method: number) => {
    LL_METHODS.set(method, name);
    return 0;
  };
  parser[P.kOnMessageComplete] = () => undefined;
  parser.execute(Buffer.from(`${name} / HTTP/1.1\r\nHost: a\r\n\r\n`));
  parser.close();
}

/** The messages llhttp frames from `c`, fed in the same pieces, with node:http's settings (strict, 8 KiB heads). */
export function llhttpFrames(c: Case): { messages: LlMessage[]; error: string | undefined } {
  const P = common.HTTPParser;
  const parser = new P();
  parser.initialize(P.REQUEST, {}, MAX_HEADER_BYTES, P.kLenientNone);
  const out: LlMessage[] = [];
  let url = '';
  let stop = false;
  // A message's URL can also come through kOnHeaders flushes after its head (with its trailers):
  // start each message afresh.
  parser[P.kOnMessageBegin] = () => {
    url = '';
  };
  parser[P.kOnTimeout] = () => undefined;
  parser[P.kOnExecute] = () => undefined;
  parser[P.kOnHeaders] = (_h: string[], u: string) => {
    url += u;
  };
  parser[P.kOnHeadersComplete] = (_maj: number, _min: number, _h: unknown, method: number, u: string | undefined, _s: unknown, _sm: unknown, upgrade: boolean, keepAlive: boolean) => {
    out.push({ method: LL_METHODS.get(method) ?? `#${method}`, url: u || url, body: [], complete: false, upgrade, keepAlive });
    url = '';
    return 0;
  };
  parser[P.kOnBody] = (b: Buffer, start?: number, len?: number) => {
    out[out.length - 1]!.body.push(Buffer.from(start === undefined ? b : b.subarray(start, start + len!)));
  };
  parser[P.kOnMessageComplete] = () => {
    const m = out[out.length - 1]!;
    m.complete = true;
    // node:http stops reading HTTP after an upgrade request or a close-delimited exchange.
    if (m.upgrade || !m.keepAlive) stop = true;
  };
  let from = 0;
  let error: string | undefined;
  for (const at of [...c.splits, c.bytes.length]) {
    if (stop) break;
    const piece = c.bytes.subarray(from, at);
    const ret = parser.execute(piece);
    if (ret instanceof Error) {
      const e = ret as Error & { code?: string; reason?: string; bytesParsed?: number };
      error = `${e.code ?? '?'} (${e.reason ?? e.message}) at byte ${from + (e.bytesParsed ?? 0)}`;
      break;
    }
    from = at;
    if (ret < piece.length) break;
  }
  parser.close();
  return { messages: out.filter((m) => m.complete), error };
}
