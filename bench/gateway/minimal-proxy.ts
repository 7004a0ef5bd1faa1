// The baseline: the least a Node proxy can do: node:http in, undici Pool out, bodies piped, no
// routing, auth, limits or metrics. Its throughput is the ceiling for Node on this machine.
// It listens with the gateway's default backlog (4096; BACKLOG to change, 511 is node's default):
// with node's, a burst of 1,000 new streams overflows the accept queue and the dropped SYNs are
// retried after 1 s, which would measure the kernel's retry timer, not the proxy.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = process.env.UPSTREAM!;
const pool = new Pool(upstream, { keepAliveTimeout: 30_000 });
const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    pool
      .request({ path: req.url ?? '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(parts) })
      .then(
        (up) => {
          const h: Record<string, string> = { 'content-type': String(up.headers['content-type'] ?? 'application/json') };
          res.writeHead(up.statusCode, h);
          up.body.on('data', (c: Buffer) => {
            if (!res.write(c)) {
              up.body.pause();
              res.once('drain', () => up.body.resume());
            }
          });
          up.body.on('end', () => res.end());
          up.body.on('error', () => res.destroy());
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
  });
});
server.keepAliveTimeout = 65_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: Number(process.env.BACKLOG ?? 4096) }, () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
