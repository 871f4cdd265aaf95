import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';

/** The one error shape every service answers with: `{statusCode, error, message, …extra}`. */
export function errorBody(statusCode: number, message: string, extra: Record<string, unknown> = {}) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...extra };
}

/** A dependency (PostgreSQL, Redis, a peer service) did not answer: the request gets a 503 naming it. */
export class DependencyUnavailableError extends Error {
  readonly code = 'E_DEPENDENCY_UNAVAILABLE';
  readonly statusCode = 503;
  constructor(
    readonly dependency: string,
    readonly detail: string,
  ) {
    super(`${dependency} is unavailable (${detail}); retry shortly — \`npx hypernode health\` shows what is down`);
    this.name = 'DependencyUnavailableError';
  }
}

// SQLSTATE classes/codes that mean "the database is not there right now", not "your query is wrong":
// 08 connection exceptions, 57P01-03 shutdown/cannot connect now, 57014 statement timeout, 53300 too many connections.
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|57014|53300)$/;
const PG_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Query read timeout|Client has encountered a connection error|Client was closed|Cannot use a pool after calling end/i;
const REDIS_MESSAGES = /Command timed out|Connection is closed|enableOfflineQueue|Stream isn't writeable|Reached the max retries per request|Redis is (down|unavailable)/i;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Which dependency an error says is down — `redis`, `postgres` — or undefined for an error that
 * is not an outage. Read off the error's shape: ioredis and pg throw plain errors with no common
 * marker, and wrapping every call site would miss the ones added later.
 */
export function unavailableDependency(error: unknown): string | undefined {
  if (error instanceof DependencyUnavailableError) return error.dependency;
  const e = error as { name?: string; code?: unknown; message?: string; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const message = e.message ?? '';
  if (e.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(message)) return 'redis';
  if (typeof e.code === 'string' && PG_UNAVAILABLE.test(e.code)) return 'postgres';
  if (PG_MESSAGES.test(message)) return 'postgres';
  if (typeof e.code === 'string' && NET_CODES.has(e.code)) return 'postgres';
  return e.cause ? unavailableDependency(e.cause) : undefined;
}

/** Maps an error a service knows to a status and body; undefined leaves it to the defaults. */
export type ErrorMapper = (error: FastifyError) => { statusCode: number; message: string; extra?: Record<string, unknown> } | undefined;

/**
 * Every error becomes `{statusCode, error, message}`: the service's own mappers first; a
 * dependency outage is a 503 naming the dependency (with `retry-after`); validation, malformed
 * JSON and oversize bodies keep their 4xx; anything else is a logged 500 that leaks nothing.
 */
export function registerErrorHandling(app: FastifyInstance, service: string, mappers: readonly ErrorMapper[] = []): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    for (const map of mappers) {
      const mapped = map(error);
      if (mapped) return reply.code(mapped.statusCode).send(errorBody(mapped.statusCode, mapped.message, mapped.extra));
    }
    const dependency = unavailableDependency(error);
    if (dependency) {
      request.log.warn({ dependency, err: error.message }, 'dependency unavailable');
      // The driver's own message (addresses, host names) stays in the log; the body says only what kind of failure.
      const detail = error instanceof DependencyUnavailableError ? error.detail : /timeout|timed out/i.test(error.message) ? 'no answer in time' : 'connection failed';
      return reply.code(503).header('retry-after', '1').send(errorBody(503, new DependencyUnavailableError(dependency, detail).message, { dependency }));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send(errorBody(status, error.message));
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send(errorBody(500, `unexpected error; see the ${service} log for request ${request.id}`));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]} on ${service}`)));
}

/**
 * Bounds a call to a dependency whose client has no timeout of its own (BullMQ queues retry
 * forever by design): past `ms` it rejects with DependencyUnavailableError naming `dependency`.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, dependency: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DependencyUnavailableError(dependency, `no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
