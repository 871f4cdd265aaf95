import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { lazyChildLogger, logOneLinePerRequest, quietRequestLogging } from '@hypernode/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { ApiConfig } from './config.js';
import { registerAuth } from './plugins/auth.js';
import { createKeyLookup, type KeyLookup } from './plugins/key-lookup.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerSecurity } from './plugins/security.js';
import { authRoutes } from './routes/auth.js';
import { deploymentsRoutes } from './routes/deployments.js';
import { healthRoutes } from './routes/health.js';
import { keysRoutes } from './routes/keys.js';
import { nodesRoutes } from './routes/nodes.js';
import { servicesRoutes } from './routes/services.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** API-key and node-credential resolution with its short cache (plugins/key-lookup.ts). */
    keyLookup: KeyLookup;
  }
}

/** What the API is built from; main.ts makes the real ones, tests make their own. */
export interface ApiDeps {
  config: ApiConfig;
  pool: Pool;
  redis: Redis;
  /** Fastify logger setting; default off. */
  logger?: boolean | object;
}

/**
 * Builds the API without listening; tests use `app.inject()`. Every route declares
 * `config.auth` (plugins/auth.ts): a route without one throws RouteAuthError naming it — here
 * for the routes added directly, at `ready()` for those in plugins.
 */
export function buildApp(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    logController: quietRequestLogging(),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: deps.config.bodyLimit,
    // Production sits behind the reverse proxy: believe its X-Forwarded-For/-Proto (client
    // address for the rate limit, https for the Secure cookie) and nobody else's.
    trustProxy: deps.config.trustProxy,
    // Unknown fields are errors (not silently dropped) and "5" is not a number.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  logOneLinePerRequest(app);
  registerErrorHandling(app);
  void app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'Hypernode API', version: '0.0.0', description: 'GPU nodes and LLM deployments' } } });
  registerSecurity(app, deps.config, deps.redis);
  // Resolved API keys and node credentials are reused for config.keyCacheMs; revocations are announced over Redis.
  const keys = createKeyLookup({ pool: deps.pool, redis: deps.redis, prefix: deps.config.redisPrefix, ttlMs: deps.config.keyCacheMs });
  app.decorate('keyLookup', keys);
  app.addHook('onReady', async () => keys.start());
  app.addHook('onClose', async () => keys.close());
  registerAuth(app, { pool: deps.pool, corsOrigins: deps.config.corsOrigins, keys });
  healthRoutes(app, deps);
  servicesRoutes(app, { redis: deps.redis, redisPrefix: deps.config.redisPrefix });
  void app.register(authRoutes, { pool: deps.pool, corsOrigins: deps.config.corsOrigins, keys });
  void app.register(keysRoutes, { pool: deps.pool, keys });
  void app.register(nodesRoutes, { pool: deps.pool, workerHosts: { profile: deps.config.profile, allowed: deps.config.workerHosts }, keys });
  void app.register(deploymentsRoutes, { pool: deps.pool });
  // The API's description holds no data: public, like /health.
  app.get('/docs/json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
