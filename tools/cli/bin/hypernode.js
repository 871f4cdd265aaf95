#!/usr/bin/env node
// Runs the bundled CLI (tools/cli/dist, built by `npm install` via `nx run cli:build`) when
// it is at least as new as every source it was built from; otherwise the TypeScript
// sources through tsx, so an edit never runs stale code. The bundle exists for start-up
// time: `ports check` should cost little more than starting Node itself.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(cliRoot, '..', '..');
const bundle = join(cliRoot, 'dist', 'hypernode.mjs');
const sources = [join(cliRoot, 'src'), ...['ports', 'port-inspect', 'health', 'instances', 'events'].map((lib) => join(root, 'libs', lib, 'src')), join(root, 'libs', 'ports', 'registry.json')];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const bundleTime = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
if (bundleTime > 0 && sources.every((s) => newestMtime(s) <= bundleTime)) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(cliRoot, 'src', 'bin.ts')).href);
}
