import { freePort } from '@hypernode/testing';
import { directPool } from '../harness/direct-db.js';
import { insertEventBacklog, waitStreamPublished } from '../harness/event-backlog.js';
import { percentile, rssBytes, startMonitor } from '../harness/monitor.js';
import { deploymentBody, postJson } from '../harness/probes.js';
import { replayFigures, startReplayClient } from '../harness/replay-clients.js';
import { startService, type ServiceProcess } from '../harness/services.js';
import { type Stack, withStack } from '../harness/stack.js';
import { sleep } from '../harness/wait.js';
import { bySize, Checks, type Figures, type Scenario, type Size } from './types.js';

const MB = 1024 * 1024;
/** Most the realtime process may grow over its baseline during the replays. */
const GROWTH_LIMIT_MB = 100;
/** /health p99 bound while the replays run. */
const HEALTH_P99_MS = 50;
/**
 * Least time /health is polled from the clients' start. A capped round ends in ~0.2 s (every
 * client gets `reset` at once): 9 polls, whose nearest-rank p99 is the single slowest one — one
 * scheduler stall of a loaded CI machine failed it (50.8 ms, p50 6.7). Polling on for 3 s (≥ ~150
 * polls) covers the reset burst and the collection of what it allocated, and makes p99 a p99.
 */
const MIN_HEALTH_WINDOW_MS = 3_000;

/** One round: `clients` clients resume at once from just before the oldest id, against `realtime`. */
async function replayRound(realtime: ServiceProcess, wsUrl: string, from: bigint, top: bigint, expected: ReadonlySet<string>, clients: number, ms: number) {
  await sleep(1_000);
  const pid = realtime.child.pid!;
  const baseline = rssBytes(pid);
  // Every 20 ms: the small size's real replay lasts ~5 s, and at 50 ms its ~90 polls made the
  // nearest-rank p99 the single slowest poll (one scheduler stall of a loaded CI machine failed
  // it: 56.8 ms with p50 4.8). ~320 polls make p99 the fourth slowest, as a p99 should be.
  const monitor = await startMonitor({ healthUrl: `${realtime.url}/health`, pid, everyMs: 20 });
  const t0 = performance.now();
  const running = Array.from({ length: clients }, () => startReplayClient(wsUrl, { lastEventId: String(from), untilId: top, expected }));
  const end = t0 + ms;
  while (performance.now() < end && running.some((c) => !c.record.done)) await sleep(100);
  const durationMs = Math.round(performance.now() - t0);
  for (const c of running) c.stop();
  const rest = t0 + MIN_HEALTH_WINDOW_MS - performance.now();
  if (rest > 0) await sleep(rest);
  const seen = await monitor.stop();
  const ws = replayFigures(running, expected.size);
  return {
    ...ws,
    done: running.filter((c) => c.record.done).length,
    durationMs,
    baselineMb: Math.round(baseline / MB),
    peakMb: Math.round(seen.peakRssBytes / MB),
    growthMb: Math.round((seen.peakRssBytes - baseline) / MB),
    healthP50Ms: percentile(seen.healthMs, 50),
    healthP99Ms: percentile(seen.healthMs, 99),
    healthPolls: seen.healthMs.length,
    healthFailures: seen.healthFailures,
    exited: realtime.exited !== undefined,
  };
}

/** Starts another realtime process (own port) with `env` over the stack's; the stack's close() stops it. */
async function startRealtime(stack: Stack, name: string, env: NodeJS.ProcessEnv): Promise<{ service: ServiceProcess; wsUrl: string }> {
  const port = await freePort();
  const service = await startService({ app: 'realtime', name, port, env: { ...stack.env, REALTIME_PORT: String(port), ...env }, logDir: stack.logDir });
  stack.services.set(name, service);
  return { service, wsUrl: `ws://127.0.0.1:${port}` };
}

/**
 * A large backlog on the stream (events written to the outbox, published by the api's relay),
 * then many clients resuming from its oldest id at once — first with the default replay cap
 * (the backlog is over it: each client must get `reset`), then with the cap raised over the
 * backlog (real replays). Pass, each round: realtime's RSS grows ≤ 100 MB over its baseline,
 * /health p99 < 50 ms meanwhile, and each client got every id exactly once or a reset.
 */
export const replayRss: Scenario = {
  name: 'replay-rss',
  description: 'clients replaying a large event backlog at once: realtime memory and /health',
  run: (size: Size) =>
    withStack({ name: 'replay-rss', apps: ['api', 'realtime'] }, async (stack) => {
      const events = bySize(size, 20_000, 100_000);
      const clients = bySize(size, 5, 20);
      const roundMs = bySize(size, 90_000, 300_000);
      const sample = await postJson(`${stack.apiUrl}/deployments`, deploymentBody(0, 1));
      const pool = directPool(stack.pg, { max: 2, queryMs: 120_000 });
      let stream: Awaited<ReturnType<typeof waitStreamPublished>>;
      let expected: Set<string>;
      const t0 = performance.now();
      try {
        await insertEventBacklog(pool, sample.body, events);
        stream = await waitStreamPublished(stack, pool, bySize(size, 60_000, 240_000));
        const ids = await pool.query<{ id: string }>("SELECT id::text AS id FROM events WHERE 'deployments' = ANY(topics) AND id >= $1 AND id <= $2 ORDER BY id", [stream.oldestId.toString(), stream.topId.toString()]);
        expected = new Set(ids.rows.map((r) => r.id));
      } finally {
        await pool.end();
      }
      const publishMs = Math.round(performance.now() - t0);
      const from = stream.oldestId - 1n;

      const capped = await replayRound(stack.get('realtime'), stack.wsUrl, from, stream.topId, expected, clients, roundMs);
      // The same realtime with the cap over the whole backlog: every client gets a real replay.
      const defaultRealtime = stack.get('realtime');
      defaultRealtime.signal('SIGTERM');
      await defaultRealtime.waitExit(10_000);
      const raised = await startRealtime(stack, 'realtime-uncapped', { REALTIME_MAX_REPLAY_EVENTS: String(events * 2) });
      const full = await replayRound(raised.service, raised.wsUrl, from, stream.topId, expected, clients, roundMs);

      const checks = new Checks();
      for (const [label, r] of [['capped', capped], ['uncapped', full]] as const) {
        checks.expect(`${label}-rss<=${GROWTH_LIMIT_MB}MB`, r.growthMb <= GROWTH_LIMIT_MB);
        checks.expect(`${label}-health-p99<${HEALTH_P99_MS}ms`, r.healthP99Ms < HEALTH_P99_MS && r.healthFailures === 0);
        checks.expect(`${label}-each-exact-or-reset`, r.wrong === 0 && r.done === clients);
        checks.expect(`${label}-realtime-up`, !r.exited);
      }
      checks.expect('uncapped-replayed', full.exact === clients);
      const figures: Figures = { events, streamLength: stream.length, publishMs, clients };
      for (const [label, r] of [['capped', capped], ['uncapped', full]] as const) {
        Object.assign(figures, {
          [`${label}.baselineMb`]: r.baselineMb,
          [`${label}.peakMb`]: r.peakMb,
          [`${label}.growthMb`]: r.growthMb,
          [`${label}.healthP50Ms`]: r.healthP50Ms,
          [`${label}.healthP99Ms`]: r.healthP99Ms,
          [`${label}.healthPolls`]: r.healthPolls,
          [`${label}.replayed`]: r.replayed,
          [`${label}.resets`]: r.resets,
          [`${label}.resetCodes`]: r.resetCodes || null,
          [`${label}.exact`]: r.exact,
          [`${label}.closes`]: r.closes,
          [`${label}.ms`]: r.durationMs,
        });
      }
      figures.failed = checks.failed;
      return { name: 'replay-rss', pass: checks.pass, figures };
    }),
};
