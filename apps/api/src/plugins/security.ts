import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ApiConfig } from '../config.js';
import { errorBody } from './errors.js';

/** Security headers, a CORS allow-list of the registry's frontends, and a Redis-backed rate limit. */
export function registerSecurity(app: FastifyInstance, config: ApiConfig, redis: Redis): void {
  void app.register(helmet, { global: true });
  void app.register(cors, { origin: config.corsOrigins, credentials: true });
  void app.register(rateLimit, {
    max: config.rateLimitMax,
    timeWindow: '1 minute',
    redis,
    nameSpace: `${config.redisPrefix}rate-limit:`,
    // Health probes and the dashboard's poll must never be throttled into looking down.
    allowList: (request) => request.url === '/health' || request.url === '/ready',
    errorResponseBuilder: (_request, context) => ({ ...errorBody(429, `rate limit of ${context.max} requests per ${context.after} reached; retry after ${context.after}`), statusCode: 429 }),
  });
}
