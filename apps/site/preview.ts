import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceMain } from '@hypernode/service-kit';

const root = dirname(fileURLToPath(import.meta.url));

// Serves the production build (dist/, from `nx run site:build`) on the registry port.
await serviceMain('site', async ({ port, host }) => {
  const { preview } = await import('vite');
  const server = await preview({ root, configFile: `${root}/vite.config.ts`, preview: { port, host, strictPort: true }, clearScreen: false });
  return { close: () => server.close() };
});
