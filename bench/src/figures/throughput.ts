import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Bench } from '../lib/figure.js';
import { VoidRunError } from '../lib/figure.js';
import { availableParallelism } from 'node:os';
import { cpuOfCommand, SHARED_SERVERS, waitFor } from '../lib/processes.js';
import { startStack, type BenchStack } from '../lib/stack.js';
import { alternate, median } from '../lib/stats.js';

/** POSTs `count` deployments, `parallel` at a time; resolves with their ids. Any non-201 voids the run. */
async function postMany(stack: BenchStack, tag: string, count: number, parallel: number): Promise<void> {
  const headers = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${stack.apiUrl}/deployments`, { method: 'POST', headers, body: JSON.stringify({ model: `${tag}-${i}`, minVramGb: 1 }), signal: AbortSignal.timeout(10_000) });
      if (res.status !== 201) throw new VoidRunError('throughput', `POST /deployments answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

/** CPU seconds so far of the stack's services and the servers it shares (PostgreSQL, Redis); not the bench's own client. */
function stackCpuSeconds(stack: BenchStack): number {
  let total = 0;
  for (const service of stack.services.values()) total += service.cpuSeconds();
  for (const server of SHARED_SERVERS) total += cpuOfCommand(server);
  return total;
}

/** Deployments/s from the first POST until every one of them is `completed` (bounded; a failed one voids the run); `cpuMs` gets the stack's CPU per deployment. */
async function ours(stack: BenchStack, tag: string, count: number, cpuMs: number[]): Promise<number> {
  const cpuBefore = stackCpuSeconds(stack);
  const t0 = performance.now();
  await postMany(stack, tag, count, 16);
  await waitFor(
    `${count} deployments ${tag}-* completed`,
    async () => {
      const { rows } = await stack.pool.query<{ done: number; failed: number }>(
        "SELECT count(*) FILTER (WHERE status = 'completed')::int AS done, count(*) FILTER (WHERE status IN ('failed', 'cancelled'))::int AS failed FROM deployments WHERE model LIKE $1",
        [`${tag}-%`],
      );
      if (rows[0]!.failed > 0) throw new VoidRunError('throughput', `${rows[0]!.failed} deployments ${tag}-* failed or were cancelled`);
      return rows[0]!.done === count;
    },
    180_000,
    10,
  );
  const rate = count / ((performance.now() - t0) / 1000);
  cpuMs.push(((stackCpuSeconds(stack) - cpuBefore) * 1000) / count);
  return rate;
}

/** The ceiling: a bare BullMQ no-op worker (concurrency = workers) on the same Redis, jobs/s from add to all completed. */
async function bullmqCeiling(stack: BenchStack, round: number, count: number, concurrency: number): Promise<number> {
  const connection = { url: stack.redisUrl, maxRetriesPerRequest: null };
  const prefix = `${stack.prefix}ceiling`;
  const name = `noop-${round}`;
  const queue = new Queue(name, { connection, prefix });
  const events = new QueueEvents(name, { connection, prefix });
  let done = 0;
  const worker = new Worker(name, async () => undefined, { connection, prefix, concurrency, autorun: false });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    worker.on('completed', () => (done += 1));
    const t0 = performance.now();
    void worker.run();
    // Added one by one, as the api's POSTs arrive one by one (no bulk shortcut for the ceiling).
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < count) await queue.add('noop', { i: next++ }, { removeOnComplete: true });
    }));
    await waitFor(`${count} BullMQ no-op jobs completed`, async () => done >= count, 60_000, 5);
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/**
 * End to end: `count` deployments POSTed 16 at a time → scheduled → dispatched → run on
 * `workers` simulated GPU workers (10 ms jobs) → completed, deployments/s; beside the
 * ceiling of the queue engine itself, a bare BullMQ no-op worker on the same Redis.
 */
export const throughputBench: Bench = {
  name: 'throughput',
  description: 'POST → completed deployments/s, 8 simulated workers, 10 ms jobs (beside a bare BullMQ no-op worker)',
  async run({ smoke, rounds, logDir, log }) {
    const workers = smoke ? 2 : 8;
    const count = smoke ? 6 : 400;
    const stack = await startStack({ apps: ['automation'], logDir, log, env: { GPU_WORKER_JOB_MS: '10', GPU_WORKER_HEARTBEAT_MS: '1000' } });
    try {
      await Promise.all(Array.from({ length: workers }, (_, i) => stack.start('gpu-worker', i + 1)));
      log(`throughput: ${count} deployments on ${workers} workers, ${rounds} rounds`);
      let round = 0;
      const cpuMs: number[] = [];
      const rates = await alternate(rounds, {
        ours: async () => ours(stack, `bench-tp-${round}`, count, cpuMs),
        baseline: async () => bullmqCeiling(stack, round++, count, workers),
      });
      // The CPU a deployment costs the stack bounds the rate: cores × 1,000 ms ÷ CPU-ms per deployment.
      const perDeployment = median(cpuMs);
      const cores = availableParallelism();
      const cpuNote = `; CPU of the stack (services, PostgreSQL, Redis) per deployment ${perDeployment.toFixed(1)} ms (median), so on ${cores} cores at most ${((cores * 1000) / perDeployment).toFixed(0)} /s — the target needs ≤ ${((cores * 1000) / 200).toFixed(0)} ms`;
      log(`throughput: ${cpuNote.slice(2)}`);
      return [
        { name: `end to end deployments/s, ${workers} workers`, unit: '/s', ours: rates.ours, baseline: { name: 'bare BullMQ no-op worker', ...rates.baseline }, target: { on: 'ours', op: '>=', value: 200 }, note: `${count} deployments per round POSTed 16 at a time, from the first POST until all are completed; the ceiling adds ${count} no-op jobs the same way${cpuNote}` },
      ];
    } finally {
      await stack.close();
    }
  },
};
