import { testRedisPrefix } from '@hypernode/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESERVE_SHARE, ReservingRedisStore } from './rate-limit-store.js';

// Real Redis (the registry's), under a key prefix of this run, deleted afterwards.
const space = testRedisPrefix();
let redis: Redis;
let n = 0;

beforeAll(async () => {
  redis = new Redis(space.url, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  await redis.ping();
});
afterAll(async () => {
  await space.cleanup();
  redis.disconnect();
});

/** A store (an api instance) whose reservations are counted; every test has its own key space. */
function instance(prefix: string, options: { maxKeys?: number } = {}) {
  const store = new ReservingRedisStore(redis, prefix, options);
  const counted = { trips: 0 };
  const command = redis as unknown as { rateLimitReserve: (...args: unknown[]) => void };
  const own = command.rateLimitReserve.bind(redis);
  // Counts this store's round trips: the command is looked up per call, so wrap it per store.
  (store as unknown as { redis: unknown }).redis = new Proxy(redis, {
    get: (target, name, receiver) => (name === 'rateLimitReserve' ? (...args: unknown[]) => (counted.trips++, own(...args)) : Reflect.get(target, name, receiver)),
  });
  const hit = (key: string, max: number, windowMs = 60_000) =>
    new Promise<{ current: number; ttl: number }>((resolve, reject) => store.incr(key, (e, r) => (e ? reject(e) : resolve(r!)), windowMs, max));
  return { store, counted, hit };
}

const keySpace = () => `${space.prefix}rl-${++n}:`;

describe('ReservingRedisStore (the api rate limit, counted in Redis, reserved in runs)', () => {
  it('is exact near the limit across instances: the 4th request of a limit of 3 is over, whichever instance takes it', async () => {
    const prefix = keySpace();
    const a = instance(prefix);
    const b = instance(prefix);
    expect((await a.hit('principal:p', 3)).current).toBe(1);
    expect((await b.hit('principal:p', 3)).current).toBe(2);
    expect((await a.hit('principal:p', 3)).current).toBe(3);
    expect((await b.hit('principal:p', 3)).current).toBeGreaterThan(3);
    // Another key has its own count, and so has a route's own limit (a child store).
    expect((await b.hit('principal:q', 3)).current).toBe(1);
    const route = a.store.child({ routeInfo: { method: 'POST', url: '/deployments' } });
    expect(await new Promise((resolve) => route.incr('principal:p', (_e, r) => resolve(r?.current), 60_000, 3))).toBe(1);
  });

  it('far from the limit, one round trip serves a run of requests, numbered 1, 2, 3… without a gap', async () => {
    const { hit, counted } = instance(keySpace());
    const seen: number[] = [];
    for (let i = 0; i < 2_000; i++) seen.push((await hit('principal:busy', 10_000_000)).current);
    expect(seen).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    console.log(`2,000 requests far from the limit: ${counted.trips} Redis round trips`);
    // The first reservation of a key is 1 (it learns the shared count), then runs of up to MAX_RUN.
    expect(counted.trips).toBeLessThanOrEqual(4);
  });

  it('concurrent first requests of a key wait for one reservation; none is refused below the limit', async () => {
    const { hit, counted } = instance(keySpace());
    const max = 600;
    const answers = await Promise.all(Array.from({ length: 100 }, () => hit('address:10.0.0.1', max)));
    expect(answers.every((a) => a.current <= max)).toBe(true);
    expect(new Set(answers.map((a) => a.current)).size).toBe(100);
    // Runs of (what is left) / RESERVE_SHARE: 18, 17, 17, 16, 16, 15… — 100 requests in a handful of trips, not 100.
    expect(counted.trips).toBeLessThanOrEqual(Math.ceil(100 / Math.floor((max - 100) / RESERVE_SHARE)));
  });

  it('never lets more than max through, over three instances taking requests at once; refuses at most a few runs early', async () => {
    const prefix = keySpace();
    const instances = [instance(prefix), instance(prefix), instance(prefix)];
    const max = 200;
    const answers = await Promise.all(Array.from({ length: 600 }, (_, i) => instances[i % 3]!.hit('principal:spread', max)));
    const allowed = answers.filter((a) => a.current <= max).length;
    console.log(`600 requests over 3 instances, limit ${max}: ${allowed} allowed`);
    expect(allowed).toBeLessThanOrEqual(max);
    // Numbers stranded in the other instances' runs: at most one run each, a run ≤ max / RESERVE_SHARE.
    expect(allowed).toBeGreaterThanOrEqual(max - 2 * Math.floor(max / RESERVE_SHARE));
  });

  it('answers a key already over its limit from memory until the window ends, then counts afresh', async () => {
    const { hit, counted } = instance(keySpace());
    for (let i = 1; i <= 2; i++) expect((await hit('principal:w', 2, 400)).current).toBe(i);
    const trips = counted.trips;
    for (let i = 0; i < 50; i++) expect((await hit('principal:w', 2, 400)).current).toBeGreaterThan(2);
    expect(counted.trips).toBe(trips);
    await new Promise((r) => setTimeout(r, 450));
    const fresh = await hit('principal:w', 2, 400);
    expect(fresh.current).toBe(1);
    expect(fresh.ttl).toBeGreaterThan(300);
  });

  it("near the limit, requests of one key waiting together are served by one reservation, not one round trip each", async () => {
    const prefix = keySpace();
    await redis.set(`${prefix}principal:near`, 560, 'PX', 60_000);
    const { hit, counted } = instance(prefix);
    const answers = await Promise.all(Array.from({ length: 40 }, () => hit('principal:near', 600)));
    expect(answers.map((a) => a.current).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => 561 + i));
    expect(counted.trips).toBeLessThanOrEqual(2);
  });

  it("a flood of new keys pushing a client's run out of memory does not spend its allowance", async () => {
    const prefix = keySpace();
    const { hit } = instance(prefix, { maxKeys: 20 });
    for (let round = 0; round < 3; round++) {
      expect((await hit('principal:steady', 600)).current).toBe(round + 1);
      for (let i = 0; i < 40; i++) await hit(`address:192.0.2.${round * 40 + i}`, 600);
    }
    // Each of its requests counted once in Redis: no share reserved and lost at each eviction.
    expect(Number(await redis.get(`${prefix}principal:steady`))).toBe(3);
  });

  it('keeps at most maxKeys keys in memory (many client addresses)', async () => {
    const { store, hit } = instance(keySpace(), { maxKeys: 50 });
    for (let i = 0; i < 120; i++) await hit(`address:10.0.${i >> 8}.${i & 255}`, 600);
    expect(store.keys).toBeLessThanOrEqual(50);
  });

  it('passes a Redis error on (the plugin then lets the request through: skipOnError)', async () => {
    const down = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const store = new ReservingRedisStore(down, keySpace());
    const error = await new Promise<Error | null>((resolve) => store.incr('principal:x', (e) => resolve(e), 60_000, 10));
    expect(error?.message).toMatch(/Stream isn't writeable|Connection is closed|enableOfflineQueue/);
    down.disconnect();
  });
});
