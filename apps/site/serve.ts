import type { Server } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK_HOST, urlFor } from '@hypernode/ports';
import { addIpv6Loopback, closeServers, serviceMain } from '@hypernode/service-kit';

const root = dirname(fileURLToPath(import.meta.url));

// The Vite dev server on the registry port. strictPort: Vite must fail, never move to the next port.
// For `localhost` (loopback only) Vite binds 127.0.0.1 and a mirror binds ::1: Vite's own
// 'localhost' would bind just the one address the resolver returns first.
await serviceMain('site', async ({ port, host }) => {
  process.env.VITE_BACKEND_API_URL ??= urlFor('api');
  process.env.VITE_BACKEND_WS_URL ??= urlFor('realtime');
  const { createServer } = await import('vite');
  const loopback = host === LOOPBACK_HOST;
  const server = await createServer({ root, configFile: `${root}/vite.config.ts`, server: { port, host: loopback ? '127.0.0.1' : host, strictPort: true }, clearScreen: false });
  let v6: Server | undefined;
  try {
    await server.listen();
    if (loopback && server.httpServer) v6 = await addIpv6Loopback(server.httpServer as Server);
  } catch (error) {
    await server.close();
    throw error;
  }
  return { close: async () => void (await Promise.all([closeServers([v6]), server.close()])) };
});
