import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool, createRedis } from '@hypernode/service-kit';
import { buildApp } from '../src/app.js';
import { startTestApi } from './harness.js';

let api: Awaited<ReturnType<typeof startTestApi>>;
/** A server that accepts connections and never answers: a dependency whose packets are dropped. */
let blackhole: Server;
let blackholePort: number;
const held: Socket[] = [];
beforeAll(async () => {
  api = await startTestApi();
  blackhole = createServer((socket) => {
    held.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  blackholePort = (blackhole.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => blackhole.close(r));
  await api?.close();
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('dependency outages', () => {
  it('with Redis not answering, PostgreSQL-only routes keep working and Redis routes are a 503 naming redis', async () => {
    const dead = createRedis(`redis://127.0.0.1:${blackholePort}`);
    const app = buildApp({ config: api.config, pool: api.pool, redis: dead.redis });
    try {
      const list = await app.inject({ method: 'GET', url: '/deployments', headers: api.as.admin });
      expect(list.statusCode).toBe(200);
      const create = await app.inject({ method: 'POST', url: '/deployments', headers: api.as.admin, payload: { model: 'm', minVramGb: 1 } });
      expect(create.statusCode).toBe(201);
      const services = await timed(() => app.inject({ method: 'GET', url: '/services', headers: api.as.admin }));
      expect(services.value.statusCode).toBe(503);
      expect(services.value.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable', dependency: 'redis', message: expect.stringMatching(/^redis is unavailable/) });
      expect(services.ms).toBeLessThan(3000);
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'redis', ok: false }), expect.objectContaining({ name: 'postgres', ok: true })]));
    } finally {
      await app.close();
      dead.close();
    }
  });

  it('with PostgreSQL not answering, a route is a 503 naming postgres (bounded), never a hang or a 500', async () => {
    const pool = createPgPool(`postgresql://postgres@127.0.0.1:${blackholePort}/x`, { timeouts: { pgConnectMs: 300 } });
    const app = buildApp({ config: api.config, pool, redis: api.redis });
    try {
      const res = await timed(() => app.inject({ method: 'GET', url: '/deployments', headers: api.as.admin }));
      expect(res.value.statusCode).toBe(503);
      expect(res.value.json()).toMatchObject({ dependency: 'postgres', message: expect.stringMatching(/^postgres is unavailable/) });
      expect(res.value.headers['retry-after']).toBe('1');
      const create = await app.inject({ method: 'POST', url: '/deployments', headers: api.as.admin, payload: { model: 'm', minVramGb: 1 } });
      expect(create.statusCode).toBe(503);
    } finally {
      await app.close();
      await pool.end().catch(() => undefined);
    }
  });
});
