import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ApiConfig } from '../config.js';
import { errorBody } from './errors.js';

/**
 * Security headers, a CORS allow-list of the registry's frontends (credentials allowed: the
 * frontends send the session cookie), and a Redis-backed rate limit that the auth hook applies
 * (plugins/auth.ts) once it knows the principal: keyed by principal, by address when anonymous.
 */
export function registerSecurity(app: FastifyInstance, config: ApiConfig, redis: Redis): void {
  void app.register(helmet, { global: true });
  void app.register(cors, { origin: config.corsOrigins, credentials: true });
  void app.register(rateLimit, {
    // Not per route: the auth hook runs it after resolving the credential, so it can key by principal.
    global: false,
    max: config.rateLimitMax,
    keyGenerator: (request) => (request.principal ? `principal:${request.principal.id}` : `address:${request.ip}`),
    timeWindow: '1 minute',
    redis,
    nameSpace: `${config.redisPrefix}rate-limit:`,
    // Fails open: with Redis away (or a store call that times out) requests go on unthrottled
    // rather than every route answering 500 — routes that need only PostgreSQL keep working.
    skipOnError: true,
    // Health probes must never be throttled into looking down; and while Redis has no ready
    // connection, skip the store at once instead of waiting for its command timeout.
    allowList: (request) => request.url === '/health' || request.url === '/ready' || redis.status !== 'ready',
    errorResponseBuilder: (_request, context) => ({ ...errorBody(429, `rate limit of ${context.max} requests per ${context.after} reached; retry after ${context.after}`), statusCode: 429 }),
  });
}
