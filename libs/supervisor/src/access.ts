import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { hasScope, type Scope } from '@hypernode/auth';
import { identify, unauthorizedMessage } from '@hypernode/store';

/** What a route needs: a scope of the api's credentials, or nothing (`none`: /health, OTLP from the services). */
export type RouteScope = Scope | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope this route needs; routes that do not say need `read`. */
    scope?: RouteScope;
  }
}

/** The shared error body (`{statusCode, error, message}`), as the api answers. */
export function errorBody(statusCode: number, message: string): { statusCode: number; error: string; message: string } {
  const error = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 503: 'Service Unavailable' }[statusCode] ?? 'Error';
  return { statusCode, error, message };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request from a browser page whose origin is not one of the registry frontends is refused
 * outright (403 naming the allowed origins): CORS alone would let the request run and only hide
 * the answer. Requests without Origin (curl, the CLI, the services) pass on to the credential check.
 */
export function originRefusal(origin: string | undefined, allowed: readonly string[]): string | undefined {
  if (origin === undefined || allowed.includes(origin)) return undefined;
  return `origin ${JSON.stringify(origin)} may not call the supervisor: only the stack's frontends (${allowed.join(', ')}) may; add yours to HYPERNODE_CORS_ORIGINS`;
}

/**
 * The credential check of every route (fastify onRequest): the api's credentials resolved by the
 * same store function as the api (`Authorization: Bearer hn_…` or the `hn_session` cookie), each
 * lookup bounded by the pool's statement timeout; 401 without a good one, 403 without the
 * route's scope, and — as the api — a change made with the cookie only from a frontend origin.
 */
export function checkAccess(pool: Pool, origins: readonly string[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const refuse = (statusCode: number, message: string) => refuseRequest(request, reply, statusCode, message);
    const refusedOrigin = originRefusal(request.headers.origin, origins);
    if (refusedOrigin) return refuse(403, refusedOrigin);
    if (request.method === 'OPTIONS') return undefined;
    const needed = request.routeOptions.config?.scope ?? 'read';
    if (needed === 'none') return undefined;
    let identity;
    try {
      identity = await identify(pool, request);
    } catch (error) {
      return refuse(503, `cannot check your credential: the instance's PostgreSQL did not answer (${(error as Error).message}); is the stack's infra up?`);
    }
    const principal = identity.principal;
    if (!principal) return refuse(401, unauthorizedMessage(identity));
    if (principal.kind === 'node') return refuse(403, `a node credential cannot call the supervisor: it needs the "${needed}" scope of an API key or session`);
    if (!hasScope(principal.scopes, needed)) {
      const who = `${principal.kind} ${principal.name ? `"${principal.name}"` : principal.id}`;
      return refuse(403, `this route needs the "${needed}" scope; the ${who} has ${principal.scopes.join(', ') || 'none'}: use a key with it (\`npx hypernode keys create --scope ${needed}\`) or sign in as an admin`);
    }
    if (identity.via === 'cookie' && !SAFE_METHODS.has(request.method) && !origins.includes(request.headers.origin ?? '')) {
      return refuse(403, `cross-site request refused: a change made with the session cookie must come from one of the frontends (${origins.join(', ')}); scripts send Authorization: Bearer hn_… instead`);
    }
    return undefined;
  };
}

/**
 * Sends a refusal. A WebSocket upgrade is answered on its raw socket, which is then closed:
 * through fastify's reply the refused upgrade socket stayed counted by the HTTP server, and
 * close() (Ctrl-C on `hypernode up`) then never finished.
 */
function refuseRequest(request: FastifyRequest, reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  const body = errorBody(statusCode, message);
  const auth = statusCode === 401 ? { 'www-authenticate': 'Bearer' } : statusCode === 503 ? { 'retry-after': '1' } : {};
  if (request.headers.upgrade?.toLowerCase() === 'websocket') {
    reply.hijack();
    const text = JSON.stringify(body);
    const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close', ...auth };
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
    request.raw.socket.end(`HTTP/1.1 ${statusCode} ${body.error}\r\n${head}\r\n\r\n${text}`);
    return reply;
  }
  return reply.code(statusCode).headers(auth).send(body);
}
