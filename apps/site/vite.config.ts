import react from '@vitejs/plugin-react';
import { tsImport } from 'tsx/esm/api';
import { defineConfig } from 'vite';

// Workspace libraries ship TypeScript sources, and Vite's config loader imports packages with
// plain Node: load the registry plugin through tsx, scoped to this import (nothing registered
// globally), so `vite`, `vite build` and Nx's project-graph inference all read this file alike.
const { registryVitePlugin } = (await tsImport('@hypernode/service-kit/vite', import.meta.url)) as typeof import('@hypernode/service-kit/vite');

// No port and no backend URL here: the registry plugin gives the dev and preview servers the
// site's registry port (strict; a taken port is refused naming its holder) and answers
// /config.js with the backend URLs of the environment the server runs in. A build only
// references /config.js: the production server (server/main.ts) answers it at run time.
export default defineConfig({
  plugins: [react(), registryVitePlugin({ service: 'site' })],
  build: {
    // Static files beside the production server's bundle (dist/apps/site/main.js).
    outDir: '../../dist/apps/site/public',
    emptyOutDir: true,
  },
});
