// What each Node app's image carries, measured without a Docker engine: its build output
// (dist/apps/<app>: main.js, assets, pruned package.json + lockfile) plus the production
// dependencies `npm ci --omit=dev --ignore-scripts` installs from that pruned lockfile in a
// temp folder outside the workspace (what the Dockerfile's runtime stage does). For scale, the
// last row is what every image used to carry: the whole workspace's production dependencies.
//
//   node tools/scripts/image-sizes.mjs [--json] [--skip-build]
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';

const USAGE = 'usage: node tools/scripts/image-sizes.mjs [--json] [--skip-build]';
const root = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => !['--json', '--skip-build'].includes(a));
if (unknown.length > 0) {
  console.error(`image-sizes: unknown option ${unknown.join(', ')}. ${USAGE}`);
  process.exit(2);
}
const json = args.includes('--json');
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' };
const log = (line) => (json ? process.stderr : process.stdout).write(`${line}\n`);

/** Bytes of every file under `path` (apparent size, symlinks counted as links), and how many files. */
function sizeOf(path) {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return { bytes: stat.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(path)) {
    const sub = sizeOf(join(path, entry));
    bytes += sub.bytes;
    files += sub.files;
  }
  return { bytes, files };
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(2);

/** Projects whose build is the esbuild bundle, from the project graph. */
function bundledApps() {
  const dir = mkdtempSync(join(tmpdir(), 'hypernode-sizes-graph-'));
  try {
    execFileSync(join(root, 'node_modules/.bin/nx'), ['graph', `--file=${join(dir, 'graph.json')}`], { cwd: root, env: nxEnv, stdio: 'ignore' });
    const { nodes } = JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')).graph;
    return Object.entries(nodes)
      .filter(([, node]) => node.data.targets?.build?.executor === '@nx/esbuild:esbuild')
      .map(([name, node]) => ({ name, output: node.data.targets.build.options.outputPath }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Folders of the production packages installed under `dir`/node_modules (npm's own view of the tree). */
function productionPackages(dir) {
  let out;
  try {
    out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    // npm ls exits 1 on extraneous or missing packages but still lists the tree it found.
    out = error.stdout ?? '';
  }
  return [...new Set(out.split('\n').filter((d) => d.startsWith(`${join(dir, 'node_modules')}/`)))];
}

/** The packages `npm ci --omit=dev` installs at the workspace root (what the old images copied), summed from the installed tree. */
function workspaceProductionDeps() {
  const dirs = productionPackages(root);
  // A parent package's folder holds its nested node_modules: count each folder without them, then add nothing twice.
  let bytes = 0;
  for (const dir of dirs) {
    for (const entry of readdirSync(dir)) if (entry !== 'node_modules') bytes += sizeOf(join(dir, entry)).bytes;
  }
  return { packages: dirs.length, bytes };
}

const apps = bundledApps();
if (apps.length === 0) {
  console.error('image-sizes: no project has an @nx/esbuild build target; check tools/workspace-plugin/src/build-target.ts');
  process.exit(1);
}
if (!args.includes('--skip-build')) {
  log(`building ${apps.map((a) => a.name).join(', ')} (nx run-many -t build, cached)…`);
  try {
    execFileSync(join(root, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', '--projects', apps.map((a) => a.name).join(','), '--output-style=static'], { cwd: root, env: nxEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    console.error(`${error.stdout ?? ''}${error.stderr ?? ''}\nimage-sizes: the build failed (output above); fix it, then run again`);
    process.exit(1);
  }
}

const rows = [];
for (const app of apps) {
  const output = join(root, app.output);
  for (const file of ['main.js', 'package.json', 'package-lock.json']) {
    if (!existsSync(join(output, file))) {
      console.error(`image-sizes: ${join(app.output, file)} is missing: run \`npx nx run ${app.name}:build\` (or drop --skip-build)`);
      process.exit(1);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), `hypernode-sizes-${app.name}-`));
  try {
    cpSync(join(output, 'package.json'), join(dir, 'package.json'));
    cpSync(join(output, 'package-lock.json'), join(dir, 'package-lock.json'));
    const started = Date.now();
    execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    const installMs = Date.now() - started;
    const build = sizeOf(output);
    const deps = existsSync(join(dir, 'node_modules')) ? sizeOf(join(dir, 'node_modules')) : { bytes: 0, files: 0 };
    const packages = productionPackages(dir).length;
    const direct = Object.keys(JSON.parse(readFileSync(join(output, 'package.json'), 'utf8')).dependencies ?? {});
    rows.push({ app: app.name, mainJsBytes: sizeOf(join(output, 'main.js')).bytes, buildBytes: build.bytes, dependencies: direct, packages, depsBytes: deps.bytes, depsFiles: deps.files, totalBytes: build.bytes + deps.bytes, installMs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const baseline = workspaceProductionDeps();

if (json) {
  console.log(JSON.stringify({ apps: rows, workspaceProductionDeps: baseline }, null, 2));
} else {
  const table = new Table({ style: { head: [], border: [] }, head: ['app', 'main.js MB', 'build output MB', 'direct deps', 'packages', 'production deps MB', 'total MB', 'npm ci s'] });
  for (const r of rows) table.push([r.app, mb(r.mainJsBytes), mb(r.buildBytes), r.dependencies.length, r.packages, mb(r.depsBytes), mb(r.totalBytes), (r.installMs / 1000).toFixed(1)]);
  table.push(['(before: every image)', '-', '-', '-', baseline.packages, mb(baseline.bytes), mb(baseline.bytes), '-']);
  console.log(table.toString());
  console.log('Sizes are apparent bytes of the files an image layer would hold; the node:20-bookworm-slim base image is not included.');
}
