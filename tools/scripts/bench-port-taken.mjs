// `npm run bench:port-taken`: for each app, how long from start to its non-zero exit when its
// port is already held (target: within 1 s), beside `node --import tsx -e 0` (the floor every
// app start pays) — median of RUNS runs, one line of stderr checked each time.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { refuseArguments, runsFromEnv } from './script-args.mjs';

refuseArguments('bench:port-taken', process.argv.slice(2), 'set BENCH_RUNS=N for the runs per row (default 5)');
const RUNS = runsFromEnv('bench:port-taken', 5);
const root = join(import.meta.dirname, '..', '..');
const apps = [
  ['site', 'apps/site', 'serve.ts'],
  ['llm-deployer', 'apps/llm-deployer', 'serve.ts'],
  ['api', 'apps/api', 'src/main.ts'],
  ['realtime', 'apps/realtime', 'src/main.ts'],
  ['automation', 'apps/automation', 'src/main.ts'],
  ['gpu-worker', 'apps/gpu-worker', 'src/main.ts'],
];

const holder = createServer();
await new Promise((r) => holder.listen({ host: '::', port: 0, ipv6Only: false }, r));
const port = holder.address().port;

function timed(command, args, options) {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { ...options, encoding: 'utf8' });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: r.status, stderr: r.stderr };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// spawnSync would block this process's own holder socket from accepting, which does not matter:
// the apps only look at the listener table and bind.
const rows = [];
const floor = [];
for (let i = 0; i < RUNS; i++) floor.push(timed(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: root }).ms);
rows.push({ command: 'node --import tsx -e 0 (floor)', 'median ms': median(floor).toFixed(0), 'exit': 0, 'stderr lines': 0 });
for (const [name, dir, entry] of apps) {
  const envVar = `${name.toUpperCase().replace(/-/g, '_')}_PORT`;
  const samples = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    last = timed(process.execPath, ['--import', 'tsx', entry], { cwd: join(root, dir), env: { ...process.env, [envVar]: String(port), HYPERNODE_STACK: '' } });
    samples.push(last.ms);
  }
  rows.push({ command: `${name} with its port held`, 'median ms': median(samples).toFixed(0), exit: last.status, 'stderr lines': last.stderr.trim().split('\n').length });
}
holder.close();
console.log(`runs per row: ${RUNS}; port held on [::]:${port} by this process (pid ${process.pid})`);
console.table(rows);
const worst = Math.max(...rows.slice(1).map((r) => Number(r['median ms'])));
console.log(`slowest refusal: ${worst} ms (target < 1000 ms): ${worst < 1000 ? 'met' : 'NOT met'}`);
