import { createServer, type Server } from 'node:http';
import { LOOPBACK_HOST } from '@hypernode/ports';
import { isNoIpv6 } from './bind.js';

/** A listening plain-Node HTTP server, as listenHttp returns it. */
export interface HttpListening {
  /** The addresses actually bound, e.g. ['127.0.0.1', '::1']. */
  hosts: string[];
  /** Stops every listener (open connections are ended); later calls return the same promise. */
  close(): Promise<void>;
}

const CLOSE_WAIT_MS = 5_000;

/**
 * Listens `server` on `port` at `host`. For `localhost` it binds BOTH loopback addresses —
 * 127.0.0.1 with `server` itself and ::1 with a second server that hands every 'request' and
 * 'upgrade' to the first (Node's own listen('localhost') binds only the first address the
 * resolver returns) — and skips ::1 quietly on a machine without IPv6. Any other host is
 * bound as given. Rejects with the listen error (EADDRINUSE, …) after releasing what it bound.
 */
export async function listenHttp(server: Server, port: number, host: string): Promise<HttpListening> {
  if (host !== LOOPBACK_HOST) {
    await listenOn(server, port, host);
    return { hosts: [host], close: once(() => closeAll([server])) };
  }
  await listenOn(server, port, '127.0.0.1');
  try {
    const v6 = await addIpv6Loopback(server);
    return { hosts: v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'], close: once(() => closeAll(v6 ? [server, v6] : [server])) };
  } catch (error) {
    await closeAll([server]);
    throw error;
  }
}

/**
 * For a server already listening on 127.0.0.1 (e.g. one a library such as Vite created): binds
 * ::1 on the same port with a second server that hands every 'request' and 'upgrade' to it.
 * Resolves undefined (nothing bound) on a machine without IPv6; rejects with EADDRINUSE when
 * ::1 is taken. The caller closes the returned server.
 */
export async function addIpv6Loopback(server: Server): Promise<Server | undefined> {
  const { port } = server.address() as { port: number };
  const v6 = createServer();
  v6.on('request', (req, res) => server.emit('request', req, res));
  v6.on('upgrade', (req, socket, head) => server.emit('upgrade', req, socket, head));
  try {
    await listenOn(v6, port, '::1');
  } catch (error) {
    if (isNoIpv6(error)) return undefined;
    throw error;
  }
  return v6;
}

/** Closes servers (ending their open connections), each wait bounded. */
export function closeServers(servers: (Server | undefined)[]): Promise<void> {
  return closeAll(servers.filter((s): s is Server => s !== undefined));
}

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeAll(servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (!s.listening) return resolve();
          const timer = setTimeout(resolve, CLOSE_WAIT_MS).unref();
          s.close(() => {
            clearTimeout(timer);
            resolve();
          });
          s.closeAllConnections();
        }),
    ),
  ).then(() => undefined);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
