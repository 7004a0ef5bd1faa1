import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { PloydError } from '../errors/index.ts';
import { createServerApp, type ServerAppOptions } from './app.ts';

export interface StartServerOptions extends ServerAppOptions {
  /** 0 = an OS-assigned port (tests). Default 8080. */
  readonly port?: number;
  /** Default 127.0.0.1: exposing the control plane is a decision, not a default. */
  readonly host?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

/**
 * Binds the control-plane app to a socket.
 *
 * @example
 * const server = await startServer({ ployd, logger, port: 0 });
 * console.log(server.url); // http://127.0.0.1:40123
 * await server.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const app = createServerApp(options);
  const host = options.host ?? '127.0.0.1';
  const requested = options.port ?? 8080;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: requested, hostname: host }, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PloydError('E_PORT_IN_USE', `port ${requested} on ${host} is already in use`, { port: requested, host })
          : new PloydError('E_IO', `cannot listen on ${host}:${requested}: ${err.message}`, { port: requested, host }, { cause: err }),
      );
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Idle keep-alive sockets would hold close() open for their whole timeout.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
