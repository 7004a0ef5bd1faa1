import { request } from 'node:http';

/**
 * A bounded GET for probes and metric scrapes. A fresh connection each time (agent: false): probes
 * run seconds apart, so a pooled socket would usually hit the server's keep-alive timeout and fail
 * spuriously; a fresh loopback connection costs microseconds.
 */
export function httpGet(url: string, timeoutMs: number, maxBody = 1 << 20): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= maxBody) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
