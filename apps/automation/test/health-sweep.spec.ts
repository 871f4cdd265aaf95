import { once } from 'node:events';
import { createServer } from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicesHealthKey, type ServicesHealthSnapshot } from '@hypernode/events';
import { listServices } from '@hypernode/ports';
import { migrate } from '@hypernode/store';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '@hypernode/testing';
import { createHealthSweep } from '../src/workflows/health-sweep.js';

const keys = testRedisPrefix();
let db: TestDatabase;
let pool: pg.Pool;
let redis: Redis;
beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  redis = new Redis(keys.url);
});
afterAll(async () => {
  redis?.disconnect();
  await pool?.end();
  await db?.drop();
  await keys.cleanup();
});

describe('health sweep', () => {
  it('stores every sweep as the snapshot, and writes service.health only when a status changed', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const api = listServices().find((s) => s.name === 'api')!;
    const sweep = createHealthSweep({ pool, redis, prefix: keys.prefix, sweepMs: 1000, probeTimeoutMs: 500, services: () => [{ ...api, port }] });
    const events = async () => (await pool.query("SELECT data FROM events WHERE type = 'service.health' ORDER BY id")).rows.map((r) => r.data.services[0].status);

    expect((await sweep()).changed).toBe(true);
    const first = JSON.parse((await redis.get(servicesHealthKey(keys.prefix)))!) as ServicesHealthSnapshot;
    expect(first.services).toEqual([expect.objectContaining({ name: 'api', port, status: 'up' })]);
    expect((await sweep()).changed).toBe(false);
    const second = JSON.parse((await redis.get(servicesHealthKey(keys.prefix)))!) as ServicesHealthSnapshot;
    expect(Date.parse(second.checkedAt)).toBeGreaterThanOrEqual(Date.parse(first.checkedAt));
    expect(await events()).toEqual(['up']);

    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    expect((await sweep()).changed).toBe(true);
    expect(await events()).toEqual(['up', 'down']);
    expect(JSON.parse((await redis.get(servicesHealthKey(keys.prefix)))!).services[0].status).toBe('down');
    const ttl = await redis.pttl(servicesHealthKey(keys.prefix));
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(5000);
  });
});
