import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { BUILD_OUTPUT_ROOT } from './build-target.js';

/** A Vite frontend's production server entry: bundled beside the static build. */
export const FRONTEND_SERVER_MAIN = 'server/main.ts';

const VITE_CONFIGS = ['vite.config.ts', 'vite.config.mts'];

/**
 * For a registry frontend built by Vite (`@nx/vite/plugin` infers its `build`: the static files
 * into dist/apps/<name>/public) that has a production server (`server/main.ts`: the static
 * build plus /config.js from the environment): `build-server` bundles that server with
 * `@nx/esbuild` into a self-contained dist/apps/<name>/main.js (every package inlined, so its
 * pruned package.json names nothing to install), and `serve-static` runs the build. The app's
 * project.json adds `build-server` to `build`'s dependsOn.
 */
export function frontendServerTargets(root: string, projectRoot: string, name: string): Record<string, TargetConfiguration> {
  if (!VITE_CONFIGS.some((f) => existsSync(join(root, projectRoot, f))) || !existsSync(join(root, projectRoot, FRONTEND_SERVER_MAIN))) return {};
  const outputPath = `${BUILD_OUTPUT_ROOT}/${projectRoot}`;
  return {
    'build-server': {
      executor: '@nx/esbuild:esbuild',
      cache: true,
      inputs: [`{projectRoot}/server/**/*.ts`, `!{projectRoot}/server/**/*.spec.ts`, '{projectRoot}/tsconfig.json', '^production'],
      outputs: [`{workspaceRoot}/${outputPath}/main.js`, `{workspaceRoot}/${outputPath}/package.json`, `{workspaceRoot}/${outputPath}/package-lock.json`],
      options: {
        main: `${projectRoot}/${FRONTEND_SERVER_MAIN}`,
        outputPath,
        outputFileName: 'main.js',
        tsConfig: `${projectRoot}/tsconfig.json`,
        format: ['esm'],
        platform: 'node',
        target: 'node20',
        bundle: true,
        thirdParty: true,
        generatePackageJson: true,
        // The static build (public/) shares the folder: never wipe it.
        deleteOutputPath: false,
        skipTypeCheck: true,
        // Inlined CommonJS packages call require(); an ESM bundle has none of its own.
        esbuildOptions: { banner: { js: "import { createRequire as __hnCreateRequire } from 'node:module'; const require = __hnCreateRequire(import.meta.url);" } },
      },
      metadata: {
        description: `Bundle ${name}'s production server (${FRONTEND_SERVER_MAIN}: static files + /config.js from the environment) to ${outputPath}/main.js, self-contained, with its package.json and pruned package-lock.json`,
        technologies: ['esbuild'],
      },
    },
    'serve-static': {
      executor: 'nx:run-commands',
      continuous: true,
      dependsOn: ['build'],
      options: { command: 'node main.js', cwd: outputPath },
      metadata: { description: `Run ${name}'s production build (${outputPath}/main.js) on its registry port`, technologies: ['hypernode'] },
    },
  };
}
