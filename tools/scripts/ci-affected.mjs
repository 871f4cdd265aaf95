// `npm run ci:affected`: what CI runs on a pull request, locally — `nx sync:check`, then
// `nx affected -t lint typecheck test build` from NX_BASE (default: the merge base with main)
// to NX_HEAD (default: HEAD).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { refuseArguments } from './script-args.mjs';

refuseArguments('ci:affected', process.argv.slice(2), 'set NX_BASE=<commit or branch> and NX_HEAD to choose the range (default: the merge base with main..HEAD)');

const root = join(import.meta.dirname, '..', '..');
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

function mergeBase() {
  for (const branch of ['main', 'origin/main']) {
    try {
      return git('merge-base', 'HEAD', branch);
    } catch {
      /* try the next name */
    }
  }
  console.error('ci:affected: no branch "main" or "origin/main" to compare with: set NX_BASE=<commit or branch>');
  process.exit(2);
}

const base = process.env.NX_BASE || mergeBase();
const head = process.env.NX_HEAD || 'HEAD';
console.log(`ci:affected: ${base.slice(0, 12)}..${head}`);
const nx = join(root, 'node_modules', '.bin', 'nx');
for (const args of [['sync:check'], ['affected', '-t', 'lint', 'typecheck', 'test', 'build', `--base=${base}`, `--head=${head}`, '--outputStyle=static']]) {
  const status = spawnSync(nx, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
  if (status !== 0) process.exit(status);
}
