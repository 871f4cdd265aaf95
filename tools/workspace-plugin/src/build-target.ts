import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';

/** Where a Node app's bundle goes, under the workspace root (git-ignored `dist/`). */
export const BUILD_OUTPUT_ROOT = 'dist';

/** The bundle's entry, relative to the project: the same file `serve` runs through tsx. */
export const NODE_MAIN = 'src/main.ts';

/** Config files that mark an app as a frontend whose build comes from Nx's own plugins (@nx/vite, @nx/next). */
const FRONTEND_CONFIGS = ['vite.config.ts', 'vite.config.mts', 'next.config.mjs', 'next.config.js', 'next.config.ts'];

/** One folder an app reads at run time, copied next to its bundle (an @nx/js asset entry). */
export interface RuntimeAsset {
  input: string;
  glob: string;
  output: string;
}

/**
 * Files a workspace lib reads from disk at run time, by the import that pulls the lib in.
 * Bundling inlines the lib's code but not these: they are copied next to `main.js`, where the
 * lib looks first (e.g. `libs/store/src/migrate.ts` finds `migrations/` beside the bundle).
 */
export const RUNTIME_ASSETS: Record<string, RuntimeAsset[]> = {
  '@hypernode/store': [{ input: 'libs/store/migrations', glob: '*.sql', output: 'migrations' }],
};

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.spec\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** The runtime assets of every lib the app's sources import (checked on the import text, as Nx's graph would). */
export function runtimeAssetsOf(root: string, projectRoot: string): RuntimeAsset[] {
  const sources = sourceFiles(join(root, projectRoot, 'src')).map((file) => readFileSync(file, 'utf8'));
  return Object.entries(RUNTIME_ASSETS)
    .filter(([pkg]) => sources.some((text) => text.includes(`'${pkg}'`) || text.includes(`"${pkg}"`)))
    .flatMap(([, assets]) => assets);
}

/**
 * The inferred, cached `build` of a Node app (a registry app with `src/main.ts` and no Vite or
 * Next config): `@nx/esbuild:esbuild` bundles `src/main.ts` to one ESM file for Node 20
 * (ESM because the mains use top-level await), inlining the workspace libs (`@hypernode/*`,
 * which are project-graph nodes) and leaving every npm package external (`thirdParty: false`).
 * `generatePackageJson` writes a package.json holding only the npm packages the app's
 * production sources import, at the workspace's versions, and a package-lock.json pruned to
 * them, so `npm ci --omit=dev` beside `main.js` installs exactly its runtime. Type errors are
 * the `typecheck` target's job, so the build skips them.
 */
export function buildTarget(root: string, projectRoot: string): TargetConfiguration | undefined {
  if (!existsSync(join(root, projectRoot, NODE_MAIN))) return undefined;
  if (FRONTEND_CONFIGS.some((file) => existsSync(join(root, projectRoot, file)))) return undefined;
  const outputPath = `${BUILD_OUTPUT_ROOT}/${projectRoot}`;
  return {
    executor: '@nx/esbuild:esbuild',
    cache: true,
    inputs: ['production', '^production'],
    outputs: ['{options.outputPath}'],
    options: {
      main: `${projectRoot}/${NODE_MAIN}`,
      outputPath,
      tsConfig: `${projectRoot}/tsconfig.json`,
      outputFileName: 'main.js',
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      bundle: true,
      thirdParty: false,
      generatePackageJson: true,
      skipTypeCheck: true,
      assets: runtimeAssetsOf(root, projectRoot),
    },
    metadata: {
      description: `Bundle ${projectRoot}/${NODE_MAIN} (workspace libs inlined, npm packages external) to ${outputPath}/main.js with a pruned package.json and package-lock.json; run it with \`npm ci --omit=dev && node main.js\` there`,
      technologies: ['esbuild'],
    },
  };
}
