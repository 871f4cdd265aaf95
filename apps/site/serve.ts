import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceMain } from '@hypernode/service-kit';

const root = dirname(fileURLToPath(import.meta.url));

// The dev entry our `serve` target runs (`nx run site:serve`, `npm start`): Vite's dev server
// under serviceMain, so the site starts, prints its ready line and stops on SIGTERM like every
// other app. Port, strictPort, the holder-naming refusal, ::1 and /config.js come from the
// registry plugin in vite.config.ts, so plain `vite` (Nx's `vite-serve`) behaves the same.
await serviceMain('site', async ({ port, host }) => {
  const { createServer } = await import('vite');
  const server = await createServer({ root, configFile: `${root}/vite.config.ts`, server: { port, host }, clearScreen: false });
  try {
    await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  return { close: () => server.close() };
});
