import type { FastifyInstance } from 'fastify';
import type { Closable, ListenTarget } from './run-service.js';

/**
 * The start function for a Fastify service: builds the app (imported lazily, so a taken
 * port is reported before the app's modules load), listens on the target, closes on stop.
 */
export function fastifyStarter(build: () => Promise<FastifyInstance>): (target: ListenTarget) => Promise<Closable> {
  return async ({ port, host }) => {
    const app = await build();
    await app.listen({ port, host });
    return { close: () => app.close() };
  };
}
