/**
 * Outbox writer throughput and deadlocks: N concurrent writers on a throw-away database, each
 * looping create → schedule → running → (progress ‖ node offline ‖ cancel) → re-register, the
 * race from issue 12. Prints committed transactions/s and the number of PostgreSQL deadlocks
 * (40P01). Run: `node --import tsx bench/outbox-writers.ts` (BENCH_WRITERS=16, BENCH_SECONDS=5).
 */
import pg from 'pg';
import { createTestDatabase } from '@hypernode/testing';
import { createDeployment, migrate, registerNode, takeNodesOffline, transitionDeployment } from '@hypernode/store';

const writers = Number(process.env.BENCH_WRITERS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

const db = await createTestDatabase();
const pool = new pg.Pool({ connectionString: db.url, max: writers * 3 });
pool.on('error', () => undefined);
let committed = 0;
let deadlocks = 0;
let otherErrors = 0;

/** Runs one store call; counts it when it commits, classifies it when it fails. */
async function tx<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    const result = await work();
    committed++;
    return result;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '40P01') deadlocks++;
    else if (code !== 'E_ILLEGAL_TRANSITION') otherErrors++;
    return undefined;
  }
}

async function writer(index: number, until: number): Promise<void> {
  const registration = { name: `bench-${index}`, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' };
  while (Date.now() < until) {
    const node = (await tx(() => registerNode(pool, registration)))?.node;
    const deployment = await tx(() => createDeployment(pool, { model: `m-${index}`, minVramGb: 1 }));
    if (!node || !deployment) continue;
    await tx(() => transitionDeployment(pool, deployment.id, 'scheduled', { nodeId: node.id }));
    await tx(() => transitionDeployment(pool, deployment.id, 'running', { progress: 1 }));
    await Promise.all([
      tx(() => transitionDeployment(pool, deployment.id, 'running', { progress: 50 })),
      tx(() => takeNodesOffline(pool, { id: node.id })),
      tx(() => transitionDeployment(pool, deployment.id, 'cancelled')),
    ]);
  }
}

try {
  await migrate(db.url);
  const started = Date.now();
  await Promise.all(Array.from({ length: writers }, (_, i) => writer(i, started + seconds * 1000)));
  const elapsed = (Date.now() - started) / 1000;
  const events = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;
  console.log(`outbox-writers: ${writers} writers, ${elapsed.toFixed(1)} s: ${(committed / elapsed).toFixed(0)} transactions/s, ${deadlocks} deadlocks (40P01), ${otherErrors} other errors, ${events} events`);
} finally {
  await pool.end();
  await db.drop();
}
