import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { Plugin } from 'esbuild';
import { pidExists } from '@hypernode/instances';

/**
 * Where a serve run keeps its bundle: one folder per executor process (two instances of the stack
 * in one checkout serve the same app at once), removed when the app exits; a folder whose
 * process is gone (SIGKILL) is swept by the next serve. tmp/ is git-ignored.
 */
export const SERVE_BUNDLES_DIR = 'tmp/serve';

/** One asset of the app's build target (as @nx/esbuild takes them): `input` folder, copied to `output` beside main.js. */
export interface BuildAsset {
  input: string;
  output: string;
  glob?: string;
}

export interface ServeBundle {
  dir: string;
  main: string;
  /** The tracing preload, in the same module graph as main (its chunks are shared: one SDK, one instrumentation of each library). */
  preload?: string;
  /** Removes the folder. */
  remove: () => void;
}

/** Removes the bundles of serve runs whose process is gone. */
export function sweepServeBundles(root: string): void {
  const base = join(root, SERVE_BUNDLES_DIR);
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/-(\d+)$/.exec(name)?.[1]);
    if (pid > 0 && pid !== process.pid && !pidExists(pid)) rmSync(join(base, name), { recursive: true, force: true });
  }
}

/**
 * Bare imports stay imports (node_modules load as Node loads them, so OpenTelemetry's loader hook
 * still sees and patches fastify, pg, ioredis…); the workspace's own libraries (`@hypernode/*`,
 * TypeScript sources) are bundled.
 */
const externalPackages: Plugin = {
  name: 'hypernode-external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@hypernode/') ? undefined : { path: args.path, external: true }));
  },
};

/**
 * Bundles a Node app's TypeScript entry with esbuild for `serve` (issue 13: the apps' start-up).
 * Running it costs about half the CPU of `node --import tsx <entry>`, which transforms and resolves
 * each of the app's modules one by one on its loader thread (api: 3.0–3.4 CPU-s to healthy through
 * tsx, 1.5–1.8 from the bundle; the bundle itself ~0.1 s). Rebuilt at every start, so an edit is
 * never run stale. Source maps are linked (run with --enable-source-maps: stack traces name the
 * .ts files). The build target's assets are linked beside main.mjs, where the production build
 * copies them (the api finds its migrations there); each asset's whole input folder is linked (its
 * glob is not applied).
 */
export async function bundleForServe(options: { root: string; name: string; cwd: string; entry: string; tracing: boolean; assets?: readonly BuildAsset[] }): Promise<ServeBundle> {
  const { root } = options;
  sweepServeBundles(root);
  const dir = join(root, SERVE_BUNDLES_DIR, `${options.name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const entryPoints: Record<string, string> = { main: join(root, options.cwd, options.entry) };
  if (options.tracing) entryPoints.preload = createRequire(join(root, 'package.json')).resolve('@hypernode/telemetry/preload');
  try {
    const { build } = await import('esbuild');
    await build({
      absWorkingDir: root,
      entryPoints,
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      splitting: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      plugins: [externalPackages],
      logLevel: 'silent',
    });
    for (const asset of options.assets ?? []) {
      const target = join(dir, asset.output);
      mkdirSync(dirname(target), { recursive: true });
      if (existsSync(join(root, asset.input))) symlinkSync(relative(dirname(target), join(root, asset.input)), target);
    }
  } catch (error) {
    remove();
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
    const detail = errors?.length ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text)).join('\n  ') : (error as Error).message;
    throw new Error(`cannot bundle ${join(options.cwd, options.entry)} for serve:\n  ${detail}`);
  }
  return { dir, main: join(dir, 'main.mjs'), ...(options.tracing ? { preload: join(dir, 'preload.mjs') } : {}), remove };
}
