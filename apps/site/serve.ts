import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { urlFor } from '@hypernode/ports';
import { serviceMain } from '@hypernode/service-kit';

const root = dirname(fileURLToPath(import.meta.url));

// The Vite dev server on the registry port. strictPort: Vite must fail, never move to the next port.
await serviceMain('site', async ({ port, host }) => {
  process.env.VITE_BACKEND_API_URL ??= urlFor('api');
  process.env.VITE_BACKEND_WS_URL ??= urlFor('realtime');
  const { createServer } = await import('vite');
  const server = await createServer({ root, configFile: `${root}/vite.config.ts`, server: { port, host, strictPort: true }, clearScreen: false });
  try {
    await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  return { close: () => server.close() };
});
