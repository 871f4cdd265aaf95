import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventEpochKey, eventStreamKey } from '@hypernode/events';
import { startRelay, type OutboxRelay } from '../src/relay.js';
import { startTestApi } from './harness.js';

let api: Awaited<ReturnType<typeof startTestApi>>;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const key = () => eventStreamKey(api.config.redisPrefix);
const epoch = () => api.redis.get(eventEpochKey(api.config.redisPrefix));
const streamIds = async () => (await api.redis.xrange(key(), '-', '+')).map(([id]) => id);
const eventIds = async () => (await api.pool.query<{ id: string }>('SELECT id FROM events ORDER BY id')).rows.map((r) => `${r.id}-0`);
const publishedIds = async () => (await api.pool.query<{ id: string }>('SELECT id FROM events WHERE published_at IS NOT NULL ORDER BY id')).rows.map((r) => `${r.id}-0`);
const unpublished = async () => (await api.pool.query('SELECT count(*)::int AS n FROM events WHERE published_at IS NULL')).rows[0].n as number;
const create = async (n: number, model = 'm') => {
  for (let i = 0; i < n; i++) await api.app.inject({ method: 'POST', url: '/deployments', headers: api.as.admin, payload: { model: `${model}${i}`, minVramGb: 1 } });
};
/** A relay that only runs when flushed (its first timer pass may run too; flushes share it). */
const manualRelay = (): OutboxRelay => startRelay({ pool: api.pool, redis: api.redis, prefix: api.config.redisPrefix, intervalMs: 60_000 });
/** Flushes until nothing is left to publish (a pass publishes at most its pass size). */
async function drain(relay: OutboxRelay): Promise<void> {
  for (let i = 0; i < 100 && ((await relay.flush()) > 0 || (await unpublished()) > 0); i++);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('outbox relay', () => {
  let relay: OutboxRelay | undefined;
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  it('publishes every event to the stream in id order, with the event id as stream id, and stamps it', async () => {
    const relays = [startRelay({ pool: api.pool, redis: api.redis, prefix: api.config.redisPrefix, intervalMs: 20 }), startRelay({ pool: api.pool, redis: api.redis, prefix: api.config.redisPrefix, intervalMs: 20 })];
    try {
      await create(20);
      await until(async () => (await streamIds()).length === 20);
      expect(await streamIds()).toEqual(await eventIds());
      const [, fields] = (await api.redis.xrange(key(), '-', '+', 'COUNT', 1))[0]!;
      expect(JSON.parse(fields[1]!)).toMatchObject({ type: 'deployment.created', topics: ['deployments', expect.stringMatching(/^deployment:/)], data: { deployment: { model: 'm0', status: 'queued' } } });
      // A row is stamped once it is on the stream: right after the XADD, not with it.
      await until(async () => (await unpublished()) === 0);
      expect(await unpublished()).toBe(0);
      expect(await epoch()).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });

  it('(c) a crash between XADD and the stamp: stamps what is on the stream, re-adds nothing, keeps the epoch', async () => {
    const before = await epoch();
    await api.pool.query('UPDATE events SET published_at = NULL WHERE id > (SELECT max(id) - 5 FROM events)');
    await create(3, 'after-crash');
    relay = manualRelay();
    await drain(relay);
    expect(await streamIds()).toEqual(await eventIds());
    expect(await unpublished()).toBe(0);
    expect(await epoch()).toBe(before);
  });

  it('(a) stream top ahead of the outbox (the database was reset): re-seeds with a new epoch, and every new event reaches the stream', async () => {
    relay = manualRelay();
    await drain(relay);
    const before = await epoch();
    // `dropdb` + migrate: ids restart at 1 under a stream whose top stays where it was.
    await api.pool.query('TRUNCATE events RESTART IDENTITY');
    await api.pool.query('DELETE FROM relay_state');
    await create(10, 'reset');
    await drain(relay);
    expect(await epoch()).not.toBe(before);
    expect(await streamIds()).toEqual(await eventIds());
    expect(await eventIds()).toHaveLength(10);
    expect(await unpublished()).toBe(0);
  });

  it('(a) a foreign entry above the outbox top: nothing is stamped without being on the stream', async () => {
    relay = manualRelay();
    await drain(relay);
    const before = await epoch();
    await api.redis.xadd(key(), '999999999-0', 'event', '{}');
    await create(5, 'ahead');
    await drain(relay);
    expect(await epoch()).not.toBe(before);
    const onStream = await streamIds();
    expect(onStream).not.toContain('999999999-0');
    expect(onStream).toEqual(await eventIds());
    for (const id of await publishedIds()) expect(onStream).toContain(id);
  });

  it('(b) stream and epoch lost (Redis flushed): re-seeded from the published events with a new epoch', async () => {
    relay = manualRelay();
    await create(4, 'before-flush');
    await drain(relay);
    const before = await epoch();
    const published = await publishedIds();
    let cursor = '0';
    do {
      const [next, keys] = await api.redis.scan(cursor, 'MATCH', `${api.config.redisPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await api.redis.del(...keys);
    } while (cursor !== '0');
    await relay.flush();
    expect(await epoch()).toMatch(/^[0-9a-f-]{36}$/);
    expect(await epoch()).not.toBe(before);
    expect(await streamIds()).toEqual(published);
    await create(2, 'after-flush');
    await drain(relay);
    expect(await streamIds()).toEqual(await eventIds());
  });

  it('a lost stream top (entries gone, epoch kept) is re-seeded too', async () => {
    relay = manualRelay();
    await drain(relay);
    const before = await epoch();
    const [topId] = (await api.redis.xrevrange(key(), '+', '-', 'COUNT', 1))[0]!;
    await api.redis.xdel(key(), topId);
    await relay.flush();
    expect(await epoch()).not.toBe(before);
    expect(await streamIds()).toEqual(await publishedIds());
  });

  it('waits for its Redis connection before the first pass: no failed pass, the events published once it is up', async () => {
    relay = manualRelay();
    await drain(relay);
    await relay.stop();
    await create(3, 'before-connect');
    // Like the api's client: no offline queue, so a command before the connection is up fails.
    const late = api.redis.duplicate({ lazyConnect: true, enableOfflineQueue: false });
    const errors: Error[] = [];
    relay = startRelay({ pool: api.pool, redis: late, prefix: api.config.redisPrefix, intervalMs: 60_000, listen: false, onError: (error) => errors.push(error) });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(await unpublished()).toBe(3);
      await late.connect();
      await until(async () => (await unpublished()) === 0);
      expect(await unpublished()).toBe(0);
      expect(await streamIds()).toEqual(await eventIds());
      expect(errors.map((e) => e.message)).toEqual([]);
    } finally {
      await relay.stop();
      relay = undefined;
      late.disconnect();
    }
  });
});
