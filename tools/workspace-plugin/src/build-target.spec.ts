import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTarget, runtimeAssetsOf } from './build-target.js';

const root = resolve(__dirname, '../../..');
const temps: string[] = [];

/** A throw-away workspace holding `files` (path → content). */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hypernode-build-target-'));
  temps.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('inferred build of a Node app', () => {
  it('bundles src/main.ts with @nx/esbuild to dist/<root>/main.js as ESM for node20, npm packages external, with a pruned manifest, cached', () => {
    const target = buildTarget(root, 'apps/api')!;
    expect(target).toMatchObject({
      executor: '@nx/esbuild:esbuild',
      cache: true,
      inputs: ['production', '^production'],
      outputs: ['{options.outputPath}'],
      options: { main: 'apps/api/src/main.ts', outputPath: 'dist/apps/api', outputFileName: 'main.js', format: ['esm'], platform: 'node', target: 'node20', bundle: true, thirdParty: false, generatePackageJson: true },
    });
  });

  it('copies the store migrations beside the bundle of an app that imports @hypernode/store, and nothing into one that does not', () => {
    const dir = workspace({
      'apps/a/src/main.ts': "import { migrate } from '@hypernode/store';\n",
      'apps/b/src/main.ts': "import { portFor } from '@hypernode/ports';\n",
      'apps/b/src/main.spec.ts': "import '@hypernode/store';\n",
    });
    expect(runtimeAssetsOf(dir, 'apps/a')).toEqual([{ input: 'libs/store/migrations', glob: '*.sql', output: 'migrations' }]);
    expect(runtimeAssetsOf(dir, 'apps/b')).toEqual([]);
    expect(buildTarget(dir, 'apps/a')!.options.assets).toHaveLength(1);
  });

  it('leaves frontends (Vite, Next) to their own plugins and projects without src/main.ts alone', () => {
    const dir = workspace({
      'apps/site/src/main.ts': '',
      'apps/site/vite.config.ts': '',
      'apps/web/src/main.ts': '',
      'apps/web/next.config.mjs': '',
      'apps/lib-like/src/index.ts': '',
    });
    expect(buildTarget(dir, 'apps/site')).toBeUndefined();
    expect(buildTarget(dir, 'apps/web')).toBeUndefined();
    expect(buildTarget(dir, 'apps/lib-like')).toBeUndefined();
    expect(buildTarget(dir, 'apps/missing')).toBeUndefined();
  });
});
