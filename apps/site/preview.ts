import type { Server } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK_HOST } from '@hypernode/ports';
import { addIpv6Loopback, closeServers, serviceMain } from '@hypernode/service-kit';

const root = dirname(fileURLToPath(import.meta.url));

// Serves the production build (dist/, from `nx run site:build`) on the registry port; loopback
// as in serve.ts (127.0.0.1 by Vite, ::1 by a mirror).
await serviceMain('site', async ({ port, host }) => {
  const { preview } = await import('vite');
  const loopback = host === LOOPBACK_HOST;
  const server = await preview({ root, configFile: `${root}/vite.config.ts`, preview: { port, host: loopback ? '127.0.0.1' : host, strictPort: true }, clearScreen: false });
  let v6: Server | undefined;
  try {
    if (loopback) v6 = await addIpv6Loopback(server.httpServer as Server);
  } catch (error) {
    await server.close();
    throw error;
  }
  return { close: async () => void (await Promise.all([closeServers([v6]), server.close()])) };
});
