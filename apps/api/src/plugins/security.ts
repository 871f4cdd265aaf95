import cors from '@fastify/cors';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { ReservingRedisStore } from '@hypernode/auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { ApiConfig } from '../config.js';
import { errorBody } from './errors.js';

/**
 * The headers of every API answer (JSON, errors): OWASP's REST Security Cheat Sheet set — the
 * ones a browser acts on for a response that is not a document. Helmet's document-only headers
 * (COOP, Origin-Agent-Cluster, Referrer-Policy, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) mean nothing on JSON and go on HTML only;
 * `no-store` and `frame-ancestors 'none'` / `DENY` are stricter than helmet's defaults were here.
 * (Not a speed change: an A/B of `bench/run.ts api` showed no difference beyond its noise.)
 * Computed once: they never depend on the request.
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  // Authenticated data: no browser or shared cache keeps it.
  'cache-control': 'no-store',
  'content-security-policy': "frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** What an HTML answer gets instead: helmet 8's defaults, its Content-Security-Policy included. */
export const HTML_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/**
 * The rate limit's key: the principal, else the address as the plugin's own default groups it — an
 * IPv6 address by its /64 (one host or home network holds a whole /64; counting each address would
 * let it take 2^64 buckets), an IPv4-mapped IPv6 address as its IPv4 address. A request whose
 * socket closed before this runs has no address (`request.ip` undefined): it gets the shared
 * empty one instead of a TypeError (a 500 and an error log line any client could cause).
 */
export function rateLimitKey(request: Pick<FastifyRequest, 'principal' | 'ip'>): string {
  if (request.principal) return `principal:${request.principal.id}`;
  return `address:${typeof request.ip === 'string' ? normalizeIP(request.ip) : ''}`;
}

/**
 * Security headers (API_HEADERS set in one hook; HTML answers get HTML_HEADERS over them), a CORS
 * allow-list of the registry's frontends (credentials allowed: the frontends send the session
 * cookie), and a Redis-counted rate limit that the auth hook applies (plugins/auth.ts) once it
 * knows the principal: keyed by principal, by address when anonymous.
 */
export function registerSecurity(app: FastifyInstance, config: ApiConfig, redis: Redis): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(API_HEADERS);
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.headers(HTML_HEADERS);
    done(null, payload);
  });
  void app.register(cors, { origin: config.corsOrigins, credentials: true });
  void app.register(rateLimit, {
    // Not per route: the auth hook runs it after resolving the credential, so it can key by principal.
    global: false,
    max: config.rateLimitMax,
    keyGenerator: rateLimitKey,
    timeWindow: '1 minute',
    // Counted in Redis (shared by every api instance), reserved in runs: no round trip per request
    // far from the limit, exact near it (@hypernode/auth ReservingRedisStore).
    store: class extends ReservingRedisStore {
      constructor() {
        super(redis, `${config.redisPrefix}rate-limit:`);
      }
    },
    // Fails open: with Redis away (or a store call that times out) requests go on unthrottled
    // rather than every route answering 500 — routes that need only PostgreSQL keep working.
    skipOnError: true,
    // Health probes are never throttled (the auth hook does not even call the limit for them);
    // while Redis has no ready connection, skip the store at once instead of waiting for its command timeout.
    allowList: () => redis.status !== 'ready',
    errorResponseBuilder: (_request, context) => ({ ...errorBody(429, `rate limit of ${context.max} requests per ${context.after} reached; retry after ${context.after}`), statusCode: 429 }),
  });
}
