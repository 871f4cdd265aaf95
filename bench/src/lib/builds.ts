import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { build } from 'esbuild';
import { BenchHarnessError, WORKSPACE } from './processes.js';

/** The Node apps the bench runs from their builds, as production does (`node main.js`). */
export const NODE_APPS = ['api', 'realtime', 'automation', 'gpu-worker'] as const;

/** Where an app's build puts its bundle. */
export const bundleOf = (app: string): string => join(WORKSPACE, 'dist', 'apps', app, 'main.js');

/**
 * Builds the Node apps (`nx run-many -t build`, cached: a no-op when nothing changed), so the
 * bench measures what production runs, never a stale bundle. Once per bench run; bounded: 10 minutes.
 */
let built = false;
export function ensureBuilds(log: (line: string) => void): void {
  if (built) return;
  const started = Date.now();
  const run = spawnSync(join(WORKSPACE, 'node_modules', '.bin', 'nx'), ['run-many', '-t', 'build', '-p', NODE_APPS.join(','), '--outputStyle=static'], {
    cwd: WORKSPACE,
    env: { ...process.env, NX_DAEMON: 'false' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.status !== 0) {
    const tail = stripVTControlCharacters(`${run.stdout ?? ''}${run.stderr ?? ''}`).trim().split('\n').slice(-15).join('\n');
    throw new BenchHarnessError(`building ${NODE_APPS.join(', ')} failed (${run.error?.message ?? `exit ${run.status}`}): run \`npx nx run-many -t build -p ${NODE_APPS.join(',')}\` to see why\n${tail}`);
  }
  for (const app of NODE_APPS) if (!existsSync(bundleOf(app))) throw new BenchHarnessError(`${bundleOf(app)} is missing after the build: check apps/${app}'s build target`);
  built = true;
  log(`builds: ${NODE_APPS.join(', ')} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (dist/apps/*/main.js)`);
}

/**
 * Bundles a baseline script (bench/src/baselines/<name>.ts) like the apps are bundled —
 * workspace libs inlined, npm packages external — so baseline and app both run on bare Node.
 * Returns the bundle's path (under tmp/bench/baselines).
 */
export async function bundleBaseline(name: string): Promise<string> {
  const manifest = JSON.parse(readFileSync(join(WORKSPACE, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const external = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((n) => !n.startsWith('@hypernode/'));
  const outfile = join(WORKSPACE, 'tmp', 'bench', 'baselines', `${name}.mjs`);
  await build({
    entryPoints: [join(WORKSPACE, 'bench', 'src', 'baselines', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...external, ...external.map((n) => `${n}/*`)],
    logLevel: 'error',
  });
  return outfile;
}
