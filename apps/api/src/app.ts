import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { logOneLinePerRequest } from '@hypernode/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { ApiConfig } from './config.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerSecurity } from './plugins/security.js';
import { deploymentsRoutes } from './routes/deployments.js';
import { healthRoutes } from './routes/health.js';
import { nodesRoutes } from './routes/nodes.js';
import { servicesRoutes } from './routes/services.js';

/** What the API is built from; main.ts makes the real ones, tests make their own. */
export interface ApiDeps {
  config: ApiConfig;
  pool: Pool;
  redis: Redis;
  /** Fastify logger setting; default off. */
  logger?: boolean | object;
}

/** Builds the API without listening; tests use `app.inject()`. */
export function buildApp(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    disableRequestLogging: true,
    bodyLimit: deps.config.bodyLimit,
    // Unknown fields are errors (not silently dropped) and "5" is not a number.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  logOneLinePerRequest(app);
  registerErrorHandling(app);
  void app.register(swagger, { openapi: { info: { title: 'Hypernode API', version: '0.0.0', description: 'GPU nodes and LLM deployments' } } });
  registerSecurity(app, deps.config, deps.redis);
  healthRoutes(app, deps);
  servicesRoutes(app, { redis: deps.redis, redisPrefix: deps.config.redisPrefix });
  void app.register(nodesRoutes, { pool: deps.pool, workerToken: deps.config.workerToken });
  void app.register(deploymentsRoutes, { pool: deps.pool, workerToken: deps.config.workerToken });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
