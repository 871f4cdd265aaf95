import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Bench } from '../lib/figure.js';
import { BenchHarnessError } from '../lib/processes.js';
import { copyWorkspace } from '../lib/workspace-copy.js';
import { median } from '../lib/stats.js';

/** Wall time of one `nx run-many` in `dir`, ms; a failed run is a harness error naming the command. */
function nx(dir: string, args: string[]): number {
  const started = performance.now();
  const run = spawnSync(join(dir, 'node_modules', '.bin', 'nx'), ['run-many', ...args, '--outputStyle=static'], {
    cwd: dir,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    encoding: 'utf8',
    timeout: 1_800_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (run.status !== 0) {
    const tail = stripVTControlCharacters(`${run.stdout ?? ''}${run.stderr ?? ''}`).trim().split('\n').slice(-20).join('\n');
    throw new BenchHarnessError(`nx run-many ${args.join(' ')} failed in the workspace copy ${dir} (${run.error?.message ?? `exit ${run.status}`}):\n${tail}`);
  }
  return ms;
}

/**
 * Nx's cache: a warm `nx run-many -t build lint typecheck` (every task from the cache) beside
 * the same run with `--skip-nx-cache` (every task runs), in a copy of the workspace. A run
 * without the cache takes minutes on two cores, so it runs once (noted), the warm one each round;
 * one plain run before them fills the cache (`--skip-nx-cache` neither reads nor writes it).
 */
export const nxCacheBench: Bench = {
  name: 'nx-cache',
  description: 'warm nx run-many -t build lint typecheck vs the same with --skip-nx-cache (in a copy of the workspace)',
  async run({ smoke, rounds, log }) {
    // Smoke: one small project's lint and typecheck proves the script; the figure runs every project.
    const args = smoke ? ['-t', 'lint', 'typecheck', '-p', 'ports'] : ['-t', 'build', 'lint', 'typecheck'];
    const copy = copyWorkspace();
    const dir = copy.dir;
    try {
      log(`nx-cache: workspace copied to ${dir}; nx run-many ${args.join(' ')}`);
      nx(dir, args); // fills the cache (and warms the file cache) so warm runs find every task
      const cold = [nx(dir, [...args, '--skip-nx-cache'])];
      const warm: number[] = [];
      for (let r = 0; r < rounds; r++) warm.push(nx(dir, args));
      return [
        { name: 'nx run-many -t build lint typecheck, warm cache', unit: 'ms', ours: { samples: warm, median: median(warm) }, baseline: { name: '--skip-nx-cache', samples: cold, median: median(cold) }, target: { on: 'ratio', op: '<=', value: 0.1 }, note: `every project, in a copy of the workspace; ${cold.length} run(s) without the cache (minutes each), ${warm.length} warm` },
      ];
    } finally {
      copy.remove();
    }
  },
};
