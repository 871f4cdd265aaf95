import { readFileSync } from 'node:fs';
import { deadlocksDetected, directPool } from '../harness/direct-db.js';
import { checkEventChains } from '../harness/event-chains.js';
import type { LoadSample } from '../harness/load.js';
import { isDeadlockAnswer, raceRound } from '../harness/race-round.js';
import { withStack } from '../harness/stack.js';
import { bySize, Checks, type Scenario } from './types.js';

/** Rounds run at once, each on its own node (as lock-order.spec.ts does in-process). */
const AT_ONCE = 4;

/**
 * Node offline (deregister) vs a worker's progress report vs a cancel, through the real api
 * process, round after round. Pass: no 5xx (and no unanswered request), no PostgreSQL deadlock
 * (40P01: answers, the api's log, and PostgreSQL's own counter), and no lost transition — every
 * deployment's events chain (`from` = previous status) up to its row's status.
 */
export const deadlockRounds: Scenario = {
  name: 'deadlock-rounds',
  description: 'node offline vs progress vs cancel through the api, many rounds',
  run: (size) =>
    withStack({ name: 'deadlock-rounds', apps: ['api'] }, async (stack) => {
      const rounds = bySize(size, 150, 1_000);
      const pool = directPool(stack.pg, { max: AT_ONCE * 2 });
      const samples: LoadSample[] = [];
      const t0 = performance.now();
      let elapsedS: number;
      try {
        for (let start = 0; start < rounds; start += AT_ONCE) {
          const batch = await Promise.all(Array.from({ length: Math.min(AT_ONCE, rounds - start) }, (_, k) => raceRound(stack.apiUrl, pool, start + k, `race-${k}`)));
          for (const r of batch) samples.push(...r.samples);
        }
        elapsedS = (performance.now() - t0) / 1000;
      } finally {
        await pool.end();
      }
      const checkPool = directPool(stack.pg, { max: 1, queryMs: 30_000 });
      const chains = await checkEventChains(checkPool).finally(() => checkPool.end());
      // Backends report their deadlock count when they end: stop the api, then read it.
      const api = stack.get('api');
      api.signal('SIGTERM');
      const exit = await api.waitExit(10_000);
      const pgDeadlocks = await deadlocksDetected(stack.pg);
      const logDeadlocks = (readFileSync(api.logFile, 'utf8').match(/40P01|deadlock detected/g) ?? []).length;
      const answerDeadlocks = samples.filter(isDeadlockAnswer).length;
      const statuses: Record<string, number> = {};
      for (const s of samples) statuses[s.status === 0 ? (s.error ?? 'error') : `${s.route}:${s.status}`] = (statuses[s.status === 0 ? (s.error ?? 'error') : `${s.route}:${s.status}`] ?? 0) + 1;
      const fiveXx = samples.filter((s) => s.status >= 500).length;
      const unanswered = samples.filter((s) => s.status === 0).length;
      const checks = new Checks();
      checks.expect('no-5xx', fiveXx === 0);
      checks.expect('all-answered', unanswered === 0);
      checks.expect('no-deadlock', pgDeadlocks === 0 && logDeadlocks === 0 && answerDeadlocks === 0);
      checks.expect('all-deployments', chains.deployments === rounds);
      checks.expect('chains-intact', chains.broken.length === 0);
      return {
        name: 'deadlock-rounds',
        pass: checks.pass,
        figures: {
          rounds,
          deadlocks: pgDeadlocks,
          deadlocksInLog: logDeadlocks,
          deadlockAnswers: answerDeadlocks,
          '5xx': fiveXx,
          unanswered,
          brokenChains: chains.broken.length,
          firstBroken: chains.broken[0] ? `${chains.broken[0].id}:${chains.broken[0].why}` : null,
          events: chains.events,
          roundsPerS: Math.round((rounds / elapsedS) * 10) / 10,
          answers: JSON.stringify(statuses),
          apiExit: exit ? `${exit.code ?? exit.signal}` : 'still running after 10 s',
          failed: checks.failed,
        },
      };
    }),
};
