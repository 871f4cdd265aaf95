import { createOutcomes } from '../harness/create-outcomes.js';
import { fixedRateLoad, summarize, timedFetch } from '../harness/load.js';
import { queryDirect } from '../harness/pg-server.js';
import { deploymentBody } from '../harness/probes.js';
import { withStack } from '../harness/stack.js';
import { sleep } from '../harness/wait.js';
import { bySize, Checks, type Scenario } from './types.js';

/**
 * PostgreSQL blackholed under load, SIGTERM to the api during it. Pass: every call sent
 * before the api exited is answered (any HTTP status) within 3 s; every create acknowledged
 * (201) is stored, none twice (rows read on the server, bypassing the proxy); a stored create
 * that was NOT acknowledged must have been sent before the blackhole began — its COMMIT reached
 * PostgreSQL and the answer was lost with the link, the one outcome no client of any database
 * can learn (counted as committedUnacked); the api exits 0 within 10 s. Then, as a client with
 * Idempotency-Keys does, every create without its 201 is sent again (same key) to the api started
 * anew: each is answered 201 and every create ends stored exactly once.
 */
/** The Idempotency-Key of the load's create `i`. */
const keyOf = (i: number) => `faults-create-${i}`;

export const postgresBlackhole: Scenario = {
  name: 'postgres-blackhole',
  description: 'PostgreSQL blackholed under load, SIGTERM to the api during it',
  run: (size) =>
    withStack({ name: 'postgres-blackhole', apps: ['api'] }, async (stack) => {
      const phaseMs = bySize(size, 6_000, 15_000);
      const rate = bySize(size, 20, 100);
      const api = stack.get('api');
      const load = fixedRateLoad({
        rate,
        durationMs: 1_000 + phaseMs,
        timeoutMs: 8_000,
        // Each create carries its own Idempotency-Key, as a careful client's does: retried below.
        next: (i) => (i % 2 === 0 ? { route: 'POST /deployments', url: `${stack.apiUrl}/deployments`, method: 'POST', body: deploymentBody(i), headers: { 'idempotency-key': keyOf(i) } } : { route: 'GET /deployments', url: `${stack.apiUrl}/deployments?limit=5` }),
      });
      await sleep(1_000);
      const blackholeAt = performance.now();
      stack.pgProxy.setMode('blackhole');
      await sleep(bySize(size, 2_000, 5_000));
      const termAt = api.signal('SIGTERM');
      const exit = await api.waitExit(15_000);
      const samples = await load.done;
      stack.pgProxy.setMode('pass');

      const exitMs = exit ? Math.round(exit.at - termAt) : null;
      const beforeExit = samples.filter((s) => s.sentAt < (exit?.at ?? Infinity));
      // After SIGTERM a closed listener may refuse new connections at once: that is an answer too.
      const refusedFast = (s: (typeof samples)[number]) => s.sentAt >= termAt && s.error === 'ECONNREFUSED' && s.latencyMs <= 3_000;
      const answeredIn3s = beforeExit.filter((s) => (s.status > 0 && s.latencyMs <= 3_000) || refusedFast(s)).length;
      const refusedAfterTerm = beforeExit.filter(refusedFast).length;
      const creates = new Map(samples.filter((s) => s.route === 'POST /deployments').map((s) => [deploymentBody(s.index!).model, s]));
      const stored = await queryDirect<{ model: string; n: number }>(stack.pg, "SELECT model, count(*)::int AS n FROM deployments WHERE model LIKE 'faults-model-%' GROUP BY model");
      const outcome = createOutcomes(creates, stored, blackholeAt);
      // The client retries every create that got no 201, with its key, once the api is back: each
      // create must end stored exactly once — one whose COMMIT had gone through is answered from it.
      await stack.start('api');
      const retries = await Promise.all(
        [...creates.values()].filter((c) => c.status !== 201).map((c) => timedFetch({ route: 'POST /deployments', url: `${stack.apiUrl}/deployments`, method: 'POST', body: deploymentBody(c.index!), headers: { 'idempotency-key': keyOf(c.index!) } }, 8_000)),
      );
      const afterRetries = await queryDirect<{ model: string; n: number }>(stack.pg, "SELECT model, count(*)::int AS n FROM deployments WHERE model LIKE 'faults-model-%' GROUP BY model");
      const exactlyOnce = afterRetries.length === creates.size && afterRetries.every((r) => r.n === 1 && creates.has(r.model));
      const all = summarize(beforeExit);
      const checks = new Checks();
      checks.expect('answered<=3s', answeredIn3s === beforeExit.length);
      checks.expect('acked-stored', outcome.lost.length === 0);
      checks.expect('stored-once', outcome.twice.length === 0);
      checks.expect('unacked-only-in-flight-at-blackhole', outcome.unexplained.length === 0);
      checks.expect('exit0<=10s', exit?.code === 0 && exitMs !== null && exitMs <= 10_000);
      checks.expect('retries-201', retries.every((r) => r.status === 201));
      checks.expect('each-create-stored-once-after-retries', exactlyOnce);
      return {
        name: 'postgres-blackhole',
        pass: checks.pass,
        figures: {
          requests: beforeExit.length,
          answeredWithin3s: `${answeredIn3s}/${beforeExit.length}`,
          refusedAfterSigterm: refusedAfterTerm,
          p99Ms: all.p99,
          maxMs: all.max,
          statuses: JSON.stringify(all.statuses),
          createsAcked: outcome.acked,
          rowsCreated: outcome.rows,
          committedUnacked: outcome.unacked.length,
          retried: retries.length,
          retriedStatuses: JSON.stringify(summarize(retries).statuses),
          rowsAfterRetries: afterRetries.reduce((sum, r) => sum + r.n, 0),
          creates: creates.size,
          ...(outcome.lost.length ? { lost: outcome.lost.join(',') } : {}),
          ...(outcome.twice.length ? { storedTwice: outcome.twice.join(',') } : {}),
          ...(outcome.unexplained.length ? { unexplained: outcome.unexplained.join(',') } : {}),
          apiExitCode: exit ? (exit.code ?? exit.signal) : 'still running',
          apiExitMs: exitMs,
          failed: checks.failed,
        },
      };
    }),
};
