import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Bench } from '../lib/figure.js';
import { WORKSPACE } from '../lib/processes.js';
import { alternate } from '../lib/stats.js';

const cli = join(WORKSPACE, 'tools', 'cli', 'bin', 'hypernode.js');

/** Wall time of one command, ms; throws when it cannot run or fails. */
function wall(command: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: WORKSPACE, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw new Error(`${command} ${args.join(' ')} could not run: ${result.error.message}`);
  return ms;
}

/**
 * `hypernode ports check --json` (every registry port, with owners) beside `node -e 0` (Node's
 * start-up floor), with `lsof` and `ss` printed for comparison; interleaved, medians.
 */
export const portsBench: Bench = {
  name: 'ports',
  description: 'hypernode ports check wall time vs node -e 0 (lsof and ss beside it)',
  async run({ smoke, rounds, log }) {
    const runs = smoke ? 1 : Math.max(rounds, 15);
    wall(process.execPath, [cli, 'ports', 'check', '--json']); // warm the file cache once
    const times = await alternate(runs, {
      ours: async () => wall(process.execPath, [cli, 'ports', 'check', '--json']),
      baseline: async () => wall(process.execPath, ['-e', '0']),
      lsof: async () => wall('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN']),
      ss: async () => wall('ss', ['-ltnp']),
    });
    log(`ports: lsof -nP -iTCP -sTCP:LISTEN ${times.lsof.median.toFixed(1)} ms, ss -ltnp ${times.ss.median.toFixed(1)} ms (medians of ${runs})`);
    return [
      { name: 'hypernode ports check', unit: 'ms', ours: times.ours, baseline: { name: 'node -e 0', ...times.baseline }, target: { on: 'ratio', op: '<=', value: 1.3 }, note: `beside it: lsof ${times.lsof.median.toFixed(1)} ms, ss ${times.ss.median.toFixed(1)} ms` },
    ];
  },
};
