import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { urlFor } from '@hypernode/ports';

// Production build of the site; the backend URLs are baked in from the registry (for the
// profile and instance in force) unless VITE_BACKEND_API_URL / VITE_BACKEND_WS_URL are set.
const root = dirname(fileURLToPath(import.meta.url));
process.env.VITE_BACKEND_API_URL ??= urlFor('api');
process.env.VITE_BACKEND_WS_URL ??= urlFor('realtime');
const { build } = await import('vite');
await build({ root, configFile: `${root}/vite.config.ts`, clearScreen: false });
