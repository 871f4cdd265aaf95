import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { servicesHealthKey, type ServicesHealthSnapshot } from '@hypernode/events';
import { createDeployment, transitionDeployment } from '@hypernode/store';
import { startTestEngine, until, type TestEngine } from './harness.js';

// 1,000 is the figure; AUTOMATION_TEST_BLOCKERS makes it bigger or smaller.
const BLOCKERS = Number(process.env.AUTOMATION_TEST_BLOCKERS ?? 1000);

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('fair scheduling', () => {
  it(`${BLOCKERS} deployments no node can take never hold up one that can run; they wait with a visible reason`, async () => {
    t = await startTestEngine();
    const { node } = await t.addNode('only-80', 80);
    await t.pool.query(`INSERT INTO deployments (model, min_vram_gb, created_at) SELECT 'too-big-' || i, 500, now() - make_interval(secs => 3600 - i) FROM generate_series(1, $1) AS i`, [BLOCKERS]);
    await t.start();

    const runnable = await createDeployment(t.pool, { model: 'fits', minVramGb: 8 });
    const placed = await until('the runnable deployment to be scheduled', async () => ((await t!.statusOf(runnable.id)).status !== 'queued' ? t!.statusOf(runnable.id) : undefined), 10_000);
    // How fast is a figure of the fault suite's starvation scenario (not a timed assertion here).
    expect(placed.node_id).toBe(node.id);

    // Every blocker ends up with the reason, written once (one event each), however many sweeps run.
    const reason = 'waiting: no online node with ≥ 500 GB VRAM';
    await until('every blocker to carry its waiting reason', async () => (await t!.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM deployments WHERE error = $1', [reason])).rows[0]!.n === BLOCKERS, 20_000);
    await new Promise((r) => setTimeout(r, 3 * t!.config.reconcileMs));
    const events = await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'deployment.updated' AND data->'deployment'->>'error' = $1`, [reason]);
    expect(events.rows[0]!.n).toBe(BLOCKERS);
    expect((await t.pool.query("SELECT count(*)::int AS n FROM deployments WHERE status = 'queued'")).rows[0].n).toBe(BLOCKERS);
  }, 60_000);

  it('a deployment whose fitting nodes are all busy says so, and the reason is cleared when it is scheduled', async () => {
    t = await startTestEngine();
    await t.start();
    await t.addNode('one', 24);
    const first = await createDeployment(t.pool, { model: 'a', minVramGb: 16 });
    await until('the first to run', async () => (await t!.statusOf(first.id)).status === 'running');
    const second = await createDeployment(t.pool, { model: 'b', minVramGb: 16 });
    await until('the second to wait with a reason', async () => (await t!.statusOf(second.id)).error === 'waiting: every online node with ≥ 16 GB VRAM is busy');
    await t.addNode('two', 24);
    const placed = await until('the second to be scheduled', async () => ((await t!.statusOf(second.id)).status !== 'queued' ? t!.statusOf(second.id) : undefined));
    expect(placed.error).toBeNull();
  }, 30_000);
});

describe('following holds no slot; maintenance runs on time', () => {
  it('with 8 deployments running and followed, a 9th is still dispatched and the watchdog takes a stale node offline', async () => {
    t = await startTestEngine({ deployConcurrency: 8, watchdogMs: 200, nodeStaleS: 60, followMs: 50 });
    await t.start();
    const workers = [];
    for (let i = 0; i < 8; i++) workers.push(await t.addNode(`long-${i}`, 24));
    const long = await Promise.all(workers.map((_, i) => createDeployment(t!.pool, { model: `long-${i}`, minVramGb: 16 })));
    await until('8 deployments running', async () => (await t!.pool.query("SELECT count(*)::int AS n FROM deployments WHERE status = 'running'")).rows[0].n === 8);
    // Between two looks a follow job is delayed, not active: no slot is held.
    await until('follow jobs waiting between looks', async () => ((await t!.engine!.queue.getJobCounts('delayed')).delayed ?? 0) > 0);

    const ninth = await t.addNode('ninth', 24);
    const extra = await createDeployment(t.pool, { model: 'ninth', minVramGb: 16 });
    await until('the 9th to reach its worker', async () => ninth.worker.jobs.has(extra.id), 3000);

    const ghost = await t.addNode('ghost', 24);
    await t.pool.query("UPDATE nodes SET last_heartbeat_at = now() - interval '1 hour' WHERE id = $1", [ghost.node.id]);
    await until('the watchdog to take the stale node offline', async () => (await t!.pool.query('SELECT status FROM nodes WHERE id = $1', [ghost.node.id])).rows[0].status === 'offline', 2000);

    for (const d of long) expect((await t.statusOf(d.id)).status).toBe('running');
  }, 60_000);
});

describe('deploy runs', () => {
  it('a follow job ends when its deployment completes; a worker that lost the job sends it back to be placed again', async () => {
    t = await startTestEngine({ followMs: 50, workerCheckMs: 200 });
    const engine = await t.start();
    const { worker } = await t.addNode('forgetful', 24);
    const d = await createDeployment(t.pool, { model: 'm', minVramGb: 8 });
    await until('it to run', async () => (await t!.statusOf(d.id)).status === 'running');
    worker.jobs.delete(d.id);
    await until('it to go back to the queue', async () => (await t!.pool.query(`SELECT 1 FROM events WHERE data->'deployment'->>'id' = $1 AND data->'deployment'->>'error' = 'node forgetful no longer runs it; rescheduling'`, [d.id])).rowCount);
    await until('it to be dispatched again', async () => worker.jobs.has(d.id));
    await until('it to run again', async () => (await t!.statusOf(d.id)).status === 'running');
    await transitionDeployment(t.pool, d.id, 'completed');
    const finished = await until('its follow job to complete', async () => (await engine.queue.getJobs(['completed'])).find((j) => j.data.deploymentId === d.id && j.returnvalue === 'completed'));
    expect(finished.attemptsMade).toBeLessThanOrEqual(1);
  }, 30_000);


  it('an unknown deployment id fails at once, after 1 attempt', async () => {
    t = await startTestEngine();
    const engine = await t.start();
    const job = await engine.run('deploy', { deploymentId: randomUUID() });
    const failed = await until('the run to fail', async () => ((await engine.queue.getJob(job.id!))?.failedReason ? engine.queue.getJob(job.id!) : undefined));
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toMatch(/does not exist/);
  }, 30_000);

  it('a refusing worker sends the deployment back with a short printable reason, never its whole body', async () => {
    t = await startTestEngine();
    await t.start();
    const body = `\u0000\u0007${'x'.repeat(5000)}\u001b`;
    const { node } = await t.addNode('refuser', 24, { refuse: { status: 500, body } });
    const d = await createDeployment(t.pool, { model: 'm', minVramGb: 8 });
    const row = await until(
      'the refusal to be recorded',
      async () => {
        const r = await t!.statusOf(d.id);
        return r.error?.includes('refused') ? r : undefined;
      },
      30_000,
    );
    expect(row.error).toMatch(/^node refuser refused it \(500: x+…\); rescheduling$/);
    expect(row.error!.length).toBeLessThan(300);
    // The node leaves the pool in the step's next transaction, right after the requeue.
    await until('the refusing node to go offline', async () => (await t!.pool.query('SELECT status FROM nodes WHERE id = $1', [node.id])).rows[0].status === 'offline', 30_000);
  }, 90_000);
});

describe('prune-events', () => {
  it('runs on its schedule and deletes published events past the keep window, keeping recent and unpublished ones', async () => {
    t = await startTestEngine({ pruneMs: 200, eventsKeepS: 3600, eventsKeepLast: 1 });
    await t.pool.query(`INSERT INTO events (type, topics, data, created_at, published_at)
      SELECT 'node.updated', '{nodes}', '{}', now() - interval '2 days', CASE WHEN i <= 40 THEN now() END FROM generate_series(1, 50) AS i`);
    await t.pool.query(`INSERT INTO events (type, topics, data, published_at) SELECT 'node.updated', '{nodes}', '{}', now() FROM generate_series(1, 5)`);
    await t.start();
    const left = async () => (await t!.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE type = 'node.updated'")).rows[0]!.n;
    await until('old published events to be pruned', async () => (await left()) === 15, 10_000);
    expect((await t.pool.query("SELECT count(*)::int AS n FROM events WHERE type = 'node.updated' AND published_at IS NULL")).rows[0].n).toBe(10);
  }, 30_000);
});

describe('health sweep', () => {
  it('stores its results as the services snapshot, with a TTL of a few sweeps', async () => {
    t = await startTestEngine({ sweepMs: 300 });
    await t.start();
    const key = servicesHealthKey(t.prefix);
    const raw = await until('the snapshot', () => t!.redis.get(key), 15_000);
    const snapshot = JSON.parse(raw) as ServicesHealthSnapshot;
    expect(Date.parse(snapshot.checkedAt)).toBeGreaterThan(Date.now() - 15_000);
    expect(snapshot.services.map((s) => s.name)).toEqual(expect.arrayContaining(['api', 'realtime', 'automation', 'postgres', 'redis']));
    const ttl = await t.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5 * 300 + 5000);
  }, 30_000);
});
