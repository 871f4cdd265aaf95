import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The liveness and readiness routes every service has: polled constantly, never logged per request. */
export const PROBE_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready']);

/** True for a request to a health probe route (`/health`, `/ready`, whatever its query). */
export const isProbe = (request: FastifyRequest): boolean => PROBE_ROUTES.has(request.routeOptions.url ?? '');

/**
 * One log line per request (method, url, status, time) instead of Fastify's two; build the
 * app with `disableRequestLogging: true` and call this. Health probes are not logged: a
 * load balancer polling them would fill the log and cost every service a line per poll.
 */
export function logOneLinePerRequest(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    if (!isProbe(request)) request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, `${request.method} ${request.url} ${reply.statusCode}`);
    done();
  });
}
