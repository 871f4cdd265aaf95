import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real service that a test can switch between `pass`, `refuse`
 * (nothing listens on its port) and `blackhole` (connections stay open, no byte goes through).
 */
export async function tcpProxy(targetPort: number, targetHost = '127.0.0.1') {
  let mode: 'pass' | 'refuse' | 'blackhole' = 'pass';
  const pairs = new Set<[Socket, Socket]>();
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      const forward = (from: Socket, to: Socket) => from.on('data', (d) => mode === 'pass' && to.write(d));
      forward(client, upstream);
      forward(upstream, client);
      const end = () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      for (const s of pair) s.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  };
  const stop = async () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
    await new Promise((r) => (server ? server.close(r) : r(null)));
    server = undefined;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    url: () => `redis://127.0.0.1:${port}`,
    /** Nothing listens any more; open connections are cut. */
    refuse: async () => ((mode = 'refuse'), await stop()),
    /** Connections are kept but no data passes either way. */
    blackhole: () => void (mode = 'blackhole'),
    /** Traffic flows again (listening on the same port if it was refused). */
    pass: async () => {
      if (!server) await listen();
      mode = 'pass';
    },
    close: stop,
  };
}
