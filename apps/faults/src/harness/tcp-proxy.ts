import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** How the proxy treats traffic. */
export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

/** A TCP proxy in front of PostgreSQL or Redis that a scenario switches between modes. */
export interface TcpProxy {
  port: number;
  mode: ProxyMode;
  /** pass: forward; refuse: close new and existing connections; blackhole: accept and read, never answer. */
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
  holed: boolean;
}

/**
 * Starts a proxy on 127.0.0.1:`port` (0 = any) to `target`. Hand-written on node:net: the
 * proxy libraries forward or refuse, none can blackhole (accept, swallow, never answer), which is
 * what dropped packets look like to a client and the case that hangs naive code.
 */
export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: ProxyMode = 'pass';

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };
  const swallow = (pair: Pair) => {
    pair.holed = true;
    pair.client.unpipe();
    pair.upstream?.unpipe();
    // Keep reading both ways so nobody sees back-pressure; the bytes go nowhere.
    pair.client.removeAllListeners('data').on('data', () => undefined).resume();
    pair.upstream?.removeAllListeners('data').on('data', () => undefined).resume();
  };

  const server: Server = createServer((client) => {
    const pair: Pair = { client, holed: false };
    pairs.add(pair);
    client.on('error', () => drop(pair));
    client.on('close', () => drop(pair));
    if (mode === 'refuse') return drop(pair);
    if (mode === 'blackhole') return swallow(pair);
    const upstream = createConnection(target);
    pair.upstream = upstream;
    upstream.on('error', () => drop(pair));
    upstream.on('close', () => drop(pair));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  const proxy: TcpProxy = {
    port: (server.address() as { port: number }).port,
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
      for (const pair of [...pairs]) {
        if (next === 'refuse') drop(pair);
        else if (next === 'blackhole' && !pair.holed) swallow(pair);
        // Back to pass: a swallowed connection lost bytes mid-protocol and cannot be resumed;
        // reset it, as a peer's keepalive would after a real outage, so the client reconnects.
        else if (next === 'pass' && pair.holed) drop(pair);
      }
    },
    close: async () => {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
