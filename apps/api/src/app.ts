import Fastify, { type FastifyInstance } from 'fastify';

/** Options for the API factory. */
export interface ApiOptions {
  /** Fastify logger setting; default off (main.ts turns it on). */
  logger?: boolean;
}

/** Builds the API without listening; tests use `app.inject()`. */
export function buildApp(options: ApiOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  app.get('/health', async () => ({ status: 'ok', service: 'api', uptime: process.uptime() }));
  return app;
}
