import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { errorBody } from '../plugins/errors.js';

async function check(name: string, probe: () => Promise<unknown>): Promise<{ name: string; ok: boolean; detail: string }> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref())]);
    return { name, ok: true, detail: 'ok' };
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message };
  }
}

/** `/health`: the process is up. `/ready`: PostgreSQL and Redis answer (503 naming which does not). */
export function healthRoutes(app: FastifyInstance, deps: { pool: Pool; redis: Redis }): void {
  app.get('/health', async () => ({ status: 'ok', service: 'api', uptime: process.uptime() }));
  app.get('/ready', async (_request, reply) => {
    const checks = await Promise.all([check('postgres', () => deps.pool.query('SELECT 1')), check('redis', () => deps.redis.ping())]);
    const failed = checks.filter((c) => !c.ok);
    if (failed.length === 0) return { status: 'ready', checks };
    return reply.code(503).send(errorBody(503, `not ready: ${failed.map((c) => `${c.name} (${c.detail})`).join(', ')}`, { checks }));
  });
}
