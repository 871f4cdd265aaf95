import { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';

/** The liveness and readiness routes every service has: polled constantly, never logged per request. */
export const PROBE_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready']);

/**
 * True for a request to a health probe route (`/health`, `/ready`, whatever its query). Read from
 * the request's path, not `request.routeOptions` (a getter that builds and freezes an object on
 * every access: this runs on every request of every service).
 */
export const isProbe = (request: FastifyRequest): boolean => {
  const { url } = request;
  const query = url.indexOf('?');
  return PROBE_ROUTES.has(query === -1 ? url : url.slice(0, query));
};

/**
 * Fastify's `logController` with its own per-request lines off (the `disableRequestLogging`
 * top-level option is deprecated, FSTDEP023): pair it with logOneLinePerRequest.
 */
export function quietRequestLogging(): LogController {
  return new LogController({ disableRequestLogging: true });
}

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];

/**
 * `request.log`, made on first use. Fastify gives every request a pino child bound to its reqId,
 * and pino serialises the bindings when the child is made: measured (`bench/run.ts api` under a
 * CPU profile) as ~2 µs of every health probe, which logs nothing. Hand-written: neither Fastify
 * nor pino offers a lazy child. The request line (logOneLinePerRequest) carries the reqId itself.
 */
class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}
  private get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }
  get level(): string {
    return this.made?.level ?? this.options?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.logger.level = level;
  }
  // Methods on the prototype, not arrow fields: a request that logs nothing allocates nothing here.
  fatal(...args: Parameters<FastifyBaseLogger['fatal']>): void {
    this.logger.fatal(...args);
  }
  error(...args: Parameters<FastifyBaseLogger['error']>): void {
    this.logger.error(...args);
  }
  warn(...args: Parameters<FastifyBaseLogger['warn']>): void {
    this.logger.warn(...args);
  }
  info(...args: Parameters<FastifyBaseLogger['info']>): void {
    this.logger.info(...args);
  }
  debug(...args: Parameters<FastifyBaseLogger['debug']>): void {
    this.logger.debug(...args);
  }
  trace(...args: Parameters<FastifyBaseLogger['trace']>): void {
    this.logger.trace(...args);
  }
  silent(...args: Parameters<FastifyBaseLogger['silent']>): void {
    this.logger.silent(...args);
  }
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: each request's logger made only when something logs through it (LazyChildLogger). */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options);
}

/**
 * One log line per request (method, url, status, time, reqId) instead of Fastify's two; build the
 * app with `logController: quietRequestLogging()` and `childLoggerFactory: lazyChildLogger`, and
 * call this. Health probes are not logged: a load balancer polling them would fill the log and
 * cost every service a line per poll. Written by the app's own logger (the reqId as a field), so
 * no per-request child logger is made for it.
 */
export function logOneLinePerRequest(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    if (!isProbe(request)) app.log.info({ reqId: request.id, method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, `${request.method} ${request.url} ${reply.statusCode}`);
    done();
  });
}
