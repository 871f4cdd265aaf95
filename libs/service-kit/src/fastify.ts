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

/**
 * Listens on the target; when that fails, runs `close` (releasing the pools and connections the
 * caller opened) and rethrows. Returns the Closable runService expects.
 */
export async function listenOrClose(app: FastifyInstance, { port, host }: ListenTarget, close: () => Promise<void>): Promise<Closable> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
