import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { checkReadiness, healthBody } from '@hypernode/service-kit';

/**
 * `/health`: the process is up (liveness only). `/ready`: PostgreSQL and Redis answer (503 naming
 * which does not). Both are probes for load balancers and supervisors, never called by a browser:
 * no CORS headers (the security headers stay), not rate limited, not logged.
 */
export function healthRoutes(app: FastifyInstance, deps: { pool: Pool; redis: Redis }): void {
  app.get('/health', { config: { auth: 'public', cors: false }, schema: { hide: true } }, async () => healthBody('api'));
  app.get('/ready', { config: { auth: 'public', cors: false }, schema: { hide: true } }, async (_request, reply) => {
    const report = await checkReadiness('api', [
      { name: 'postgres', probe: () => deps.pool.query('SELECT 1') },
      { name: 'redis', probe: () => deps.redis.ping() },
    ]);
    return reply.code(report.httpStatus).send(report.body);
  });
}
