// Bundles the CLI into one ESM file so it starts fast (no TypeScript loader at run time).
// pg, ioredis, undici and cli-table3 stay external: they load only when a command needs them
// (health and up; human tables), so `--json` calls do not parse them. The store, auth and
// service-kit (and supervisor, with fastify; telemetry's receiver) libs stay external too (TypeScript, loaded through tsx by src/credentials/libs.ts:
// the store finds its migrations beside its sources).
import { build } from 'esbuild';

await build({
  entryPoints: ['tools/cli/src/bin.ts'],
  outdir: 'tools/cli/dist',
  entryNames: 'hypernode',
  outExtension: { '.js': '.mjs' },
  // Commands load their heavy parts (the stack, its child processes) as separate chunks on use.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['pg', 'ioredis', 'undici', 'cli-table3', 'tsx', 'tsx/*', '@hypernode/store', '@hypernode/auth', '@hypernode/service-kit', '@hypernode/supervisor', '@hypernode/telemetry', '@hypernode/telemetry/*', 'fastify'],
  banner: { js: "import { createRequire as __hnCreateRequire } from 'node:module'; const require = __hnCreateRequire(import.meta.url);" },
  minify: true,
  logLevel: 'warning',
});
