import Fastify, { type FastifyInstance } from 'fastify';

/** Builds the automation engine's HTTP side without listening. */
export function buildApp(options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  app.get('/health', async () => ({ status: 'ok', service: 'automation', uptime: process.uptime() }));
  return app;
}
