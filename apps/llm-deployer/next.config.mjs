import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Ports and backend URLs are not set here: the port comes from the registry (serve.ts in
// development, main.js of the build in production) and the backend URLs from the server's
// environment at request time (app/layout.tsx), so the build holds neither.
const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Production runs Next's standalone server (.next/standalone: server.js with only the traced
  // node_modules); `nx run llm-deployer:build` assembles it with the static files into
  // dist/apps/llm-deployer. Tracing starts at the workspace root so hoisted packages are found.
  output: 'standalone',
  outputFileTracingRoot: workspaceRoot,
  // Left out of the standalone node_modules: build tools the workspace hoists that the tracer
  // reaches through Next's build-time code paths (the production server never loads them, ~60 MB),
  // and sharp (@img, ~19 MB), which Next loads only to optimise images for next/image — this
  // app has none; add them back here if it ever uses next/image.
  outputFileTracingExcludes: {
    '*': ['webpack', 'esbuild', '@esbuild', 'sass', 'sass-embedded', '@swc/core', '@swc/core-*', 'terser', 'vite', 'rolldown', '@rolldown', 'sharp', '@img'].map((pkg) => `**/node_modules/${pkg}/**`),
  },
  // serve.ts picks one per port: Next allows one dev server per build folder, and instances,
  // port overrides and tests run several side by side.
  distDir: process.env.HYPERNODE_NEXT_DIST_DIR || '.next',
  // Workspace libraries ship TypeScript sources whose imports say `./x.js` (Node ESM style);
  // webpack maps those to the .ts files (Turbopack cannot yet, so serve.ts and the build run webpack).
  transpilePackages: ['@hypernode/ui', '@hypernode/events', '@hypernode/service-kit', '@hypernode/ports'],
  experimental: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
};
export default nextConfig;
