// Ports and backend URLs are not set here: serve.ts takes them from the port registry.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // serve.ts picks one per port: Next allows one dev server per build folder, and instances,
  // port overrides and tests run several side by side.
  distDir: process.env.HYPERNODE_NEXT_DIST_DIR || '.next',
  // Workspace libraries ship TypeScript sources whose imports say `./x.js` (Node ESM style);
  // webpack maps those to the .ts files (Turbopack cannot yet, so serve.ts runs webpack).
  transpilePackages: ['@hypernode/ui', '@hypernode/events'],
  experimental: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
};
export default nextConfig;
