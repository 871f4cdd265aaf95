// Bundles the CLI into one ESM file so it starts fast (no TypeScript loader at run time).
// pg and ioredis stay external: they load only for `health` and `up`.
import { build } from 'esbuild';

await build({
  entryPoints: ['tools/cli/src/bin.ts'],
  outfile: 'tools/cli/dist/hypernode.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['pg', 'ioredis'],
  banner: { js: "import { createRequire as __hnCreateRequire } from 'node:module'; const require = __hnCreateRequire(import.meta.url);" },
  minify: true,
  logLevel: 'warning',
});
