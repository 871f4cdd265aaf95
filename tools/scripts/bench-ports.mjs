// `npm run bench:ports`: wall time of `hypernode ports check` (every registry port, with
// owners) beside `lsof -nP -iTCP -sTCP:LISTEN` and `node -e 0` (Node's start-up floor),
// interleaved, median of RUNS runs each. Target (issue 13, as the `ports` figure of `npm run bench`): ports check ≤ 1.3× the Node floor.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { refuseArguments, runsFromEnv } from './script-args.mjs';

refuseArguments('bench:ports', process.argv.slice(2), 'set BENCH_RUNS=N for the runs per command (default 15)');
const RUNS = runsFromEnv('bench:ports', 15);
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'tools', 'cli', 'bin', 'hypernode.js');

const subjects = [
  { name: 'hypernode ports check', command: process.execPath, args: [cli, 'ports', 'check', '--json'] },
  { name: 'lsof -nP -iTCP -sTCP:LISTEN', command: 'lsof', args: ['-nP', '-iTCP', '-sTCP:LISTEN'] },
  { name: 'node -e 0 (floor)', command: process.execPath, args: ['-e', '0'] },
];

function time(subject) {
  const started = process.hrtime.bigint();
  const result = spawnSync(subject.command, subject.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) return { ms: NaN, error: result.error.message };
  return { ms };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

for (const s of subjects) time(s); // warm the file cache once
const samples = new Map(subjects.map((s) => [s.name, []]));
for (let i = 0; i < RUNS; i++) for (const s of subjects) samples.get(s.name).push(time(s).ms);

const floor = median(samples.get('node -e 0 (floor)'));
console.log(`runs per command: ${RUNS} (interleaved), machine: ${process.platform} ${process.arch}, node ${process.version}`);
console.table(
  subjects.map((s) => {
    const m = median(samples.get(s.name));
    return { command: s.name, 'median ms': Number.isNaN(m) ? 'not available' : m.toFixed(1), 'min ms': Math.min(...samples.get(s.name)).toFixed(1), '× node floor': Number.isNaN(m) ? '-' : (m / floor).toFixed(2) };
  }),
);
const ratio = median(samples.get('hypernode ports check')) / floor;
console.log(`ports check / node floor = ${ratio.toFixed(2)} (target ≤ 1.30): ${ratio <= 1.3 ? 'met' : 'NOT met'}`);
