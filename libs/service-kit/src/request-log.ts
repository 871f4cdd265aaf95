import type { FastifyInstance } from 'fastify';

/**
 * One log line per request (method, url, status, time) instead of Fastify's two; build the
 * app with `disableRequestLogging: true` and call this.
 */
export function logOneLinePerRequest(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, `${request.method} ${request.url} ${reply.statusCode}`);
  });
}
