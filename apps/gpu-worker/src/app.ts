import Fastify, { type FastifyInstance } from 'fastify';

/**
 * Builds the GPU worker's HTTP side without listening. The GPU itself is simulated (no GPU
 * exists on the machines this runs on); the service behaviour around it is real.
 */
export function buildApp(options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  app.get('/health', async () => ({ status: 'ok', service: 'gpu-worker', gpu: 'simulated', uptime: process.uptime() }));
  return app;
}
