import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listServices } from '@hypernode/ports';
import { createTestDatabase, freePort, testRedisPrefix, type TestDatabase } from '@hypernode/testing';
import { ROOT } from './workspace-copy';
import { snapshotWorkspace } from './workspace-snapshot';

const run = promisify(execFile);

/** Packages no Node app's image may hold: the dev toolchain and the frontends' stacks. */
const NEVER_IN_AN_IMAGE = ['tsx', 'vitest', 'typescript', 'esbuild', 'nx', '@nx/devkit', 'next', 'react', 'vite', 'playwright-core'];

let copy: string;
let bundles: string[] = [];
let db: TestDatabase;
const redis = testRedisPrefix();
const installs = new Map<string, string>();
const started: ChildProcess[] = [];

const nx = (...args: string[]) =>
  execFileSync(join(copy, 'node_modules/.bin/nx'), args, { cwd: copy, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' }, maxBuffer: 64 * 1024 * 1024 });

/** Projects whose build is the esbuild bundle, read from the copy's project graph. */
function bundledProjects(): string[] {
  const file = join(copy, 'tmp', 'graph.json');
  nx('graph', `--file=${file}`);
  const { nodes } = (JSON.parse(readFileSync(file, 'utf8')) as { graph: { nodes: Record<string, { data: { targets?: Record<string, { executor?: string }> } }> } }).graph;
  return Object.entries(nodes)
    .filter(([, node]) => node.data.targets?.build?.executor === '@nx/esbuild:esbuild')
    .map(([name]) => name)
    .sort();
}

/** The environment a bundle gets: nothing that points back into the workspace. */
function bundleEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };
  return { ...env, ...extra };
}

const BUNDLE_START_MS = 60_000;

/** Starts `node main.js` in `dir`; resolves with the /health body once it answers (bounded), rejects with the output if it exits first. */
async function startBundle(app: string, dir: string, port: number, env: Record<string, string>): Promise<{ child: ChildProcess; health: unknown; output: () => string }> {
  const child = spawn(process.execPath, ['main.js'], { cwd: dir, env: bundleEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Bounded, generously: on CI's loaded two cores a bundle's start has taken over 20 s.
  const deadline = Date.now() + BUNDLE_START_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode} before answering /health:\n${output}`);
    const health = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).then((r) => (r.ok ? r.json() : undefined), () => undefined);
    if (health !== undefined) return { child, health, output: () => output };
    await sleep(150);
  }
  throw new Error(`${app} did not answer http://127.0.0.1:${port}/health within ${BUNDLE_START_MS / 1000} s:\n${output}`);
}

/** SIGTERM, then the exit code (bounded: null when it did not exit within 10 s). */
async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return Promise.race([exited, sleep(10_000).then(() => null)]);
}

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'hypernode-bundles-'));
  snapshotWorkspace(copy);
  bundles = bundledProjects();
  nx('run-many', '-t', 'build', '--projects', bundles.join(','), '--skip-nx-cache');
  // Each bundle is installed on its own, outside any workspace, from its pruned manifest and lockfile only.
  for (const app of bundles) {
    const dir = mkdtempSync(join(tmpdir(), `hypernode-bundle-${app}-`));
    cpSync(join(copy, 'dist/apps', app), dir, { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 180_000 });
    installs.set(app, dir);
  }
  db = await createTestDatabase();
}, 600_000);

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  await db?.drop();
  await redis.cleanup();
  for (const dir of installs.values()) rmSync(dir, { recursive: true, force: true });
  if (copy) rmSync(copy, { recursive: true, force: true });
}, 60_000);

describe('each Node app runs from its build output alone', () => {
  it('the four Node apps are the bundled ones', () => {
    expect(bundles).toEqual(['api', 'automation', 'gpu-worker', 'realtime']);
  });

  it('each output is main.js, a package.json naming only production dependencies of the workspace, and its lockfile', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const app of bundles) {
      const out = join(copy, 'dist/apps', app);
      for (const file of ['main.js', 'package.json', 'package-lock.json']) expect(existsSync(join(out, file)), `${app}/${file}`).toBe(true);
      const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: unknown };
      expect(manifest.devDependencies, app).toBeUndefined();
      // Nx lists every root "dependencies" package that any file of a lib the app uses imports (its specs too):
      // a build or dev tool listed there instead of in devDependencies lands in every image.
      const tools = Object.keys(manifest.dependencies ?? {}).filter((name) => NEVER_IN_AN_IMAGE.includes(name));
      expect(tools, `${app}'s production manifest lists ${tools.join(', ')}: move them to devDependencies in the root package.json`).toEqual([]);
      for (const [name, version] of Object.entries(manifest.dependencies ?? {})) expect(root.dependencies[name], `${app} → ${name}`).toBe(version);
      // The workspace libs are inlined: the bundle imports none of them.
      expect(readFileSync(join(out, 'main.js'), 'utf8'), app).not.toMatch(/from ["']@hypernode\//);
    }
  });

  it('npm ci --omit=dev from the pruned lockfile installs no dev tool and no frontend stack', () => {
    for (const [app, dir] of installs) {
      const installed = NEVER_IN_AN_IMAGE.filter((pkg) => existsSync(join(dir, 'node_modules', pkg)));
      expect(installed, `npm ci --omit=dev for ${app} installed ${installed.join(', ')}`).toEqual([]);
    }
  });

  it('every bundle starts outside the workspace (built-in registry, migrations beside main.js), answers /health and exits 0 on SIGTERM', async () => {
    const ports = new Map(await Promise.all(bundles.map(async (app) => [app, await freePort()] as const)));
    const envVar = new Map(listServices({ env: {} }).map((s) => [s.name, s.envVar]));
    const shared = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      HYPERNODE_REDIS_PREFIX: redis.prefix,
      API_URL: `http://127.0.0.1:${ports.get('api')}`,
      // Well-formed: the api stores it at start (as under compose) and the worker registers with it.
      HYPERNODE_JOIN_TOKEN: `hnj_${'x'.repeat(43)}`,
    };
    // The api first: it applies the migrations the others' queries need.
    const order = ['api', ...bundles.filter((a) => a !== 'api')];
    const running = [];
    for (const app of order) {
      const port = ports.get(app)!;
      const started = await startBundle(app, installs.get(app)!, port, { ...shared, [envVar.get(app)!]: String(port) });
      expect(started.health, app).toMatchObject({ status: 'ok', service: app });
      running.push({ app, ...started });
    }
    expect(running[0]!.output()).toMatch(/applied migrations .*_init/);
    for (const { app, child, output } of running.reverse()) expect(await stop(child), `${app} exit code on SIGTERM\n${output()}`).toBe(0);
  }, 360_000);
});
