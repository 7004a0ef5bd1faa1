import { createServer } from 'node:net';

/** Tries to bind host:port; resolves true when it is free at this moment. */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * An OS-assigned free port on host (bind to 0, read it back, release it). The child binds it a few
 * milliseconds later; a process that steals it in between is caught when the child reports
 * EADDRINUSE, and the replica is restarted on another port.
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Does a server's log say it could not bind its port? Node, Python (uvicorn/vLLM), Go and C servers word it differently. */
export function looksLikePortInUse(logLines: readonly string[]): boolean {
  return logLines.some((l) => /EADDRINUSE|address already in use|Address in use|port is already allocated/i.test(l));
}
