/**
 * Where a deployment's cycle goes (issue 13): the throughput figure's workload (deployments
 * POSTed 16 at a time onto simulated workers running 10 ms jobs), then each stage from the
 * outbox's timestamps — node freed → next placed on it, scheduled → running, running → completed
 * — as p50/p90/p99, the reports per deployment, and the CPU each service spent during the run.
 * The timestamps are each transaction's start (`now()`), not its commit: on a loaded machine a
 * transaction that stalls between statements can even make a stage come out negative, so read
 * the stages of runs made in the same conditions side by side; the CPU seconds and the reports per
 * deployment do not depend on the load.
 * Not a figure (nothing is compared to a baseline): a diagnosis to run before and after a change,
 * with `uptime` beside it. Run: `node --import tsx bench/cycle-breakdown.ts`
 * (BENCH_DEPLOYMENTS=200, BENCH_WORKERS=8; BENCH_SERVICE_NODE_OPTIONS, read by every bench's stack, is given to the services as NODE_OPTIONS,
 * e.g. `--require $PWD/bench/preloads/cpu-profile.cjs` or `count-calls.cjs` — see bench/preloads/).
 */
import { join } from 'node:path';
import { cpuOfCommand, SHARED_SERVERS, waitFor, WORKSPACE } from './src/lib/processes.js';
import { startStack } from './src/lib/stack.js';
import { percentile } from './src/lib/stats.js';

const SERVERS = SHARED_SERVERS;
const cpuOfAll = cpuOfCommand;

const count = Number(process.env.BENCH_DEPLOYMENTS ?? 200);
const workers = Number(process.env.BENCH_WORKERS ?? 8);

const stack = await startStack({ apps: ['automation'], logDir: join(WORKSPACE, 'tmp', 'bench', 'cycle-logs'), log: (line) => console.log(`   ${line}`), env: { GPU_WORKER_JOB_MS: '10', GPU_WORKER_HEARTBEAT_MS: '1000' } });
try {
  await Promise.all(Array.from({ length: workers }, (_, i) => stack.start('gpu-worker', i + 1)));
  const before = new Map([...[...stack.services].map(([name, s]) => [name, s.cpuSeconds()] as const), ...SERVERS.map((n) => [n, cpuOfAll(n)] as const)]);
  const headers = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(`${stack.apiUrl}/deployments`, { method: 'POST', headers, body: JSON.stringify({ model: `cycle-${i}`, minVramGb: 1 }), signal: AbortSignal.timeout(10_000) });
        if (res.status !== 201) throw new Error(`POST /deployments answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      }
    }),
  );
  await waitFor(`${count} deployments completed`, async () => (await stack.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM deployments WHERE status = 'completed'")).rows[0]!.n === count, 300_000, 20);
  console.log(`${count} deployments on ${workers} workers: ${(count / ((performance.now() - t0) / 1000)).toFixed(1)} /s`);

  const { rows } = await stack.pool.query<{ at: Date; id: string; status: string; node: string | null }>(
    "SELECT created_at AS at, data->'deployment'->>'id' AS id, data->'deployment'->>'status' AS status, data->'deployment'->>'nodeId' AS node FROM events WHERE type LIKE 'deployment.%' ORDER BY id",
  );
  const stages = new Map<string, number[]>();
  const add = (stage: string, ms: number) => stages.set(stage, [...(stages.get(stage) ?? []), ms]);
  const freedAt = new Map<string, number>();
  const byDeployment = new Map<string, Array<{ at: number; status: string }>>();
  for (const r of rows) {
    const at = r.at.getTime();
    if (r.status === 'scheduled' && r.node && freedAt.has(r.node)) add('node freed → next scheduled on it', at - freedAt.get(r.node)!);
    if (r.status === 'completed' && r.node) freedAt.set(r.node, at);
    byDeployment.set(r.id, [...(byDeployment.get(r.id) ?? []), { at, status: r.status }]);
  }
  for (const events of byDeployment.values()) {
    const first = (status: string) => events.find((e) => e.status === status)?.at;
    const [scheduled, running, completed] = [first('scheduled'), first('running'), first('completed')];
    if (scheduled && running) add('scheduled → running (dispatch, first report)', running - scheduled);
    if (running && completed) add('running → completed', completed - running);
    add('running reports per deployment', events.filter((e) => e.status === 'running').length);
  }
  for (const [stage, values] of stages) console.log(`${stage}: p50 ${percentile(values, 50).toFixed(1)} p90 ${percentile(values, 90).toFixed(1)} p99 ${percentile(values, 99).toFixed(1)} (n ${values.length})`);
  const spent = [...[...stack.services].map(([name, s]) => [name, s.cpuSeconds() - before.get(name)!] as const), ...SERVERS.map((n) => [n, cpuOfAll(n) - before.get(n)!] as const)];
  for (const [name, seconds] of spent) console.log(`CPU ${name}: ${seconds.toFixed(1)} s`);
  const total = spent.reduce((sum, [, seconds]) => sum + seconds, 0);
  console.log(`CPU of the stack and its servers: ${total.toFixed(1)} s, ${((total * 1000) / count).toFixed(1)} ms per deployment (2 cores give 2,000 ms per second)`);
} finally {
  await stack.close();
}
