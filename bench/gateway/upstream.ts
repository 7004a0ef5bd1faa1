// Minimal static OpenAI-style responder for benchmarks: a fixed chat completion, or an SSE stream of
// CHUNKS chunks every INTERVAL ms when the request asks for `"stream": true`. Prints its port.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const CHUNKS = Number(process.env.CHUNKS ?? 64);
const INTERVAL = Number(process.env.INTERVAL ?? 20);
const answer = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1,
    model: 'bench',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
  }),
);
const chunk = Buffer.from(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench', choices: [{ index: 0, delta: { content: 'tok ' } }] })}\n\n`);
const STREAM_MARK = Buffer.from('"stream":true');

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    if (body.includes(STREAM_MARK)) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(chunk);
        if (++i >= CHUNKS) {
          clearInterval(timer);
          res.end('data: [DONE]\n\n');
        }
      }, INTERVAL);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
