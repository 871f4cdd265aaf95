import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ApiConfig } from '../config.js';
import { errorBody } from './errors.js';

/**
 * The security headers of every response: helmet 8's defaults, computed once here (they never
 * depend on the request) instead of by helmet's thirteen middlewares on every request.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
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

/** helmet 8's default Content-Security-Policy: meaningful on HTML only, so only HTML gets it. */
export const HTML_CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests";

/**
 * Security headers (set in one hook from the table above; the CSP only on HTML answers), a CORS
 * allow-list of the registry's frontends (credentials allowed: the frontends send the session
 * cookie), and a Redis-backed rate limit that the auth hook applies (plugins/auth.ts) once it
 * knows the principal: keyed by principal, by address when anonymous.
 */
export function registerSecurity(app: FastifyInstance, config: ApiConfig, redis: Redis): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('content-security-policy', HTML_CSP);
    done(null, payload);
  });
  void app.register(cors, { origin: config.corsOrigins, credentials: true });
  void app.register(rateLimit, {
    // Not per route: the auth hook runs it after resolving the credential, so it can key by principal.
    global: false,
    max: config.rateLimitMax,
    keyGenerator: (request) => (request.principal ? `principal:${request.principal.id}` : `address:${request.ip}`),
    timeWindow: '1 minute',
    redis,
    nameSpace: `${config.redisPrefix}rate-limit:`,
    // Fails open: with Redis away (or a store call that times out) requests go on unthrottled
    // rather than every route answering 500 — routes that need only PostgreSQL keep working.
    skipOnError: true,
    // Health probes are never throttled (the auth hook does not even call the limit for them);
    // while Redis has no ready connection, skip the store at once instead of waiting for its command timeout.
    allowList: () => redis.status !== 'ready',
    errorResponseBuilder: (_request, context) => ({ ...errorBody(429, `rate limit of ${context.max} requests per ${context.after} reached; retry after ${context.after}`), statusCode: 429 }),
  });
}
