import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceEntry } from '@hypernode/ports';
import { listenHttp, serviceMain } from '@hypernode/service-kit';
import { frontendConfig } from '@hypernode/service-kit/frontend-config';

const dir = dirname(fileURLToPath(import.meta.url));

// The DEV entry our `serve` target runs (production: main.js of `nx run llm-deployer:build`,
// which starts Next's standalone server). Kept instead of Nx's inferred `next-dev` (`next dev`)
// because of how Next's dev server treats ports: it reads only PORT / -p (no registry, profile or
// instance), moves to the next free port when the default one is taken instead of failing with
// the holder's name, binds one loopback address for `localhost`, and refuses a second dev
// server on the same build folder — instances and tests run several. Here Next runs behind our
// own HTTP server (Next's documented custom-server API) on the registry port.
await serviceMain('llm-deployer', async ({ port, host }) => {
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  // The backend URLs are read per request by app/layout.tsx; checked here so a bad one stops the start.
  frontendConfig();
  const dev = process.env.NODE_ENV !== 'production';
  // One build folder per port in development (Next refuses a second dev server on one folder).
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
