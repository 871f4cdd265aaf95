import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceEntry, urlFor } from '@hypernode/ports';
import { listenHttp, serviceMain } from '@hypernode/service-kit';

const dir = dirname(fileURLToPath(import.meta.url));

// Next.js behind our own HTTP server (Next's documented custom-server API), so the port comes
// from the registry and a taken port fails at once instead of Next moving to the next one.
await serviceMain('llm-deployer', async ({ port, host }) => {
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  process.env.NEXT_PUBLIC_API_URL ??= urlFor('api');
  process.env.NEXT_PUBLIC_WS_URL ??= urlFor('realtime');
  const dev = process.env.NODE_ENV !== 'production';
  // One build folder per port in development (Next refuses a second dev server on one folder);
  // production serves the `.next` that `nx run llm-deployer:build` made.
  if (dev) process.env.HYPERNODE_NEXT_DIST_DIR ??= port === serviceEntry('llm-deployer').port ? '.next' : `.next-${port}`;
  const { default: next } = await import('next');
  const app = next({ dev, dir, hostname: 'localhost', port, webpack: true });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => void handle(req, res));
  // `localhost` binds 127.0.0.1 and ::1 (loopback only); another host is bound as given.
  const listening = await listenHttp(server, port, host).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const upgrade = app.getUpgradeHandler();
  server.on('upgrade', (req, socket, head) => void upgrade(req, socket, head));
  return {
    close: async () => {
      await listening.close();
      await app.close();
    },
  };
});
