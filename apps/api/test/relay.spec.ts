import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStreamKey } from '@hypernode/events';
import { startRelay } from '../src/relay.js';
import { startTestApi } from './harness.js';

let api: Awaited<ReturnType<typeof startTestApi>>;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const streamIds = async () => (await api.redis.xrange(eventStreamKey(api.config.redisPrefix), '-', '+')).map(([id]) => id);
const eventIds = async () => (await api.pool.query<{ id: string }>('SELECT id FROM events ORDER BY id')).rows.map((r) => `${r.id}-0`);

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('outbox relay', () => {
  it('publishes every event to the stream in id order, with the event id as stream id, and stamps it', async () => {
    const relays = [startRelay({ pool: api.pool, redis: api.redis, prefix: api.config.redisPrefix, intervalMs: 20 }), startRelay({ pool: api.pool, redis: api.redis, prefix: api.config.redisPrefix, intervalMs: 20 })];
    try {
      for (let i = 0; i < 20; i++) await api.app.inject({ method: 'POST', url: '/deployments', payload: { model: `m${i}`, minVramGb: 1 } });
      await until(async () => (await streamIds()).length === 20);
      expect(await streamIds()).toEqual(await eventIds());
      const [, fields] = (await api.redis.xrange(eventStreamKey(api.config.redisPrefix), '-', '+', 'COUNT', 1))[0]!;
      expect(JSON.parse(fields[1]!)).toMatchObject({ type: 'deployment.created', topics: ['deployments', expect.stringMatching(/^deployment:/)], data: { deployment: { model: 'm0', status: 'queued' } } });
      expect((await api.pool.query('SELECT count(*)::int AS n FROM events WHERE published_at IS NULL')).rows[0].n).toBe(0);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });

  it('re-publishing after a crash between XADD and the stamp adds no duplicate', async () => {
    await api.pool.query('UPDATE events SET published_at = NULL');
    const relay = startRelay({ pool: api.pool, redis: api.redis, prefix: api.config.redisPrefix, intervalMs: 1000 });
    try {
      await relay.flush();
      expect(await streamIds()).toEqual(await eventIds());
      expect((await api.pool.query('SELECT count(*)::int AS n FROM events WHERE published_at IS NULL')).rows[0].n).toBe(0);
    } finally {
      await relay.stop();
    }
  });
});
