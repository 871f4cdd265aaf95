import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frontendConfig, frontendInstance } from '@hypernode/service-kit/frontend-config';
import { serviceMain } from '@hypernode/service-kit/main';
import { buildSiteServer } from '@hypernode/service-kit/static-site';

// The site's production entry, bundled by `nx run site:build` to dist/apps/site/main.js with
// the static build in public/ beside it. Port and bind host come from the registry (SITE_PORT,
// HYPERNODE_PROFILE, HYPERNODE_INSTANCE, HYPERNODE_HOST); the backend URLs the browser gets
// come from this process's environment (VITE_BACKEND_API_URL / VITE_BACKEND_WS_URL, else the
// registry), so they change with a restart, never with a rebuild.
const root = join(dirname(fileURLToPath(import.meta.url)), 'public');

await serviceMain('site', async ({ port, host }) => {
  const app = await buildSiteServer({ service: 'site', root, config: { ...frontendConfig(), ...frontendInstance() } });
  await app.listen({ port, host });
  return { close: () => app.close() };
});
