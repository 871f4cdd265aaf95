import { Redis } from 'ioredis';
import { eventStreamKey } from '@hypernode/events';
import { deploymentBody, deploymentEventIds, maxEventId, postJson, waitCaughtUp } from '../harness/probes.js';
import { withStack } from '../harness/stack.js';
import { sleep } from '../harness/wait.js';
import { startWsClient, wsFigures } from '../harness/ws-clients.js';
import { bySize, Checks, type Scenario } from './types.js';

/**
 * Redis restarted with no persistence while events stream and half the clients are away;
 * afterwards every client drops and resumes by lastEventId. Pass: each client got every event exactly once or a `reset` (counted
 * by id), and every event created after the restart is on the stream (none stamped and lost).
 */
export const redisRestart: Scenario = {
  name: 'redis-restart',
  description: 'Redis restarted with no persistence mid-stream; clients resume by lastEventId',
  run: (size) =>
    withStack({ name: 'redis-restart', apps: ['api', 'realtime'] }, async (stack) => {
      const clientCount = bySize(size, 10, 50);
      const perSecond = bySize(size, 5, 20);
      const baseline = await maxEventId(stack);
      const clients = Array.from({ length: clientCount }, () => startWsClient(stack.wsUrl, { lastEventId: baseline }));
      let i = 0;
      let creating = true;
      const creator = (async () => {
        while (creating) {
          await postJson(`${stack.apiUrl}/deployments`, deploymentBody(i++)).catch(() => undefined);
          await sleep(1000 / perSecond);
        }
      })();
      await sleep(bySize(size, 2_000, 5_000));
      // Half the clients are away while events they will owe are written to the old stream.
      const awayMs = bySize(size, 3_000, 6_000);
      clients.forEach((c, n) => c.drop(n % 2 === 0 ? awayMs : 0));
      await sleep(awayMs / 2);
      const restartId = await maxEventId(stack);
      await stack.redis.stop();
      await stack.redis.start();
      await sleep(500);
      for (const c of clients) c.drop(0);
      await sleep(bySize(size, 4_000, 10_000));
      creating = false;
      await creator;
      const lastId = await maxEventId(stack);
      const caughtUp = await waitCaughtUp(clients, lastId, bySize(size, 10_000, 20_000));
      const expected = await deploymentEventIds(stack, baseline);
      const ws = wsFigures(clients, expected);
      for (const c of clients) c.stop();

      const redis = new Redis(stack.redis.url(), { maxRetriesPerRequest: 1, connectTimeout: 2000 });
      redis.on('error', () => undefined);
      const onStream = new Set((await redis.xrange(eventStreamKey(String(stack.env.HYPERNODE_REDIS_PREFIX)), '-', '+')).map(([id]) => id.split('-')[0]!));
      redis.disconnect();
      const afterRestart = (await deploymentEventIds(stack, restartId)).filter((id) => BigInt(id) <= BigInt(lastId));
      const streamMissing = afterRestart.filter((id) => !onStream.has(id)).length;
      const checks = new Checks();
      checks.expect('exactly-once-or-reset', ws.lost === 0 && ws.duplicated === 0);
      checks.expect('stream-has-new-events', streamMissing === 0);
      return {
        name: 'redis-restart',
        pass: checks.pass,
        figures: {
          clients: ws.clients,
          events: expected.length,
          eventsAfterRestart: afterRestart.length,
          lost: ws.lost,
          clientsWithLoss: ws.clientsWithLoss,
          duplicated: ws.duplicated,
          resets: ws.resets,
          caughtUp,
          streamMissing,
          failed: checks.failed,
        },
      };
    }),
};
