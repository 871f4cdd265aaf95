import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Pool } from 'pg';
import type { LogLine, LogStreamFrame, SupervisorServices } from '@hypernode/events';
import { checkAccess, errorBody } from './access.js';
import { atLeast, LogQueryError, parseLogQuery, type RawLogQuery } from './log-query.js';
import type { LogStore } from './log-store.js';
import { SupervisorActionError, type Supervisor, type SupervisorAction } from './supervisor.js';

export interface SupervisorServerOptions {
  supervisor: Supervisor;
  /** The instance's PostgreSQL (the apps' DATABASE_URL): credentials are resolved there. */
  pool: Pool;
  /** Browser origins allowed (CORS with credentials, WebSocket Origin): the registry frontends' (browserOrigins()). */
  origins: readonly string[];
  instance: number;
  checkout: string;
  /** Mounted after the supervisor's own routes (e.g. POST /v1/traces); their routes need `read` unless they set `config: { scope: 'none' }`. */
  plugins?: FastifyPluginAsync[];
  /** Request body cap; default 64 KiB (the actions have no body; a plugin may raise its own route's). */
  bodyLimit?: number;
}

/** Most a stream client may lag (bytes queued on its socket) before lines are skipped for it. */
const STREAM_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Batching period of the live stream (the contract: at most every 50 ms). */
const STREAM_BATCH_MS = 50;

const ACTIONS: readonly SupervisorAction[] = ['restart', 'stop', 'start'];

/**
 * The supervisor's HTTP API (libs/events/src/dashboard.ts): services, actions, log pages,
 * download and the live stream. Not listening yet: the caller binds it (loopback) and closes it.
 */
export async function createSupervisorServer(options: SupervisorServerOptions): Promise<FastifyInstance> {
  const { supervisor, pool, origins } = options;
  const logs: LogStore = supervisor.logs;
  // forceCloseConnections: close() must not wait on a browser's keep-alive socket (Ctrl-C frees the port at once).
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 64 * 1024, forceCloseConnections: true });
  // The cookie parser's onRequest hook must run before the credential check, or a browser's
  // `hn_session` cookie is never seen (401 for every signed-in dashboard).
  await app.register(cookie);
  // Origin and credential check next: before CORS answers a preflight and before any route.
  app.addHook('onRequest', checkAccess(pool, origins));
  await app.register(cors, { origin: [...origins], credentials: true, methods: ['GET', 'POST', 'OPTIONS'] });
  await app.register(websocket, { options: { maxPayload: 4096 } });

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (error instanceof LogQueryError || error instanceof SupervisorActionError) return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message));
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send(errorBody(status, status === 500 ? `supervisor error: ${error.message}` : error.message));
  });

  app.get('/health', { config: { scope: 'none' } }, async () => ({ status: 'ok', service: 'supervisor', uptimeS: Math.round(process.uptime()), pid: process.pid }));

  app.get('/services', async (): Promise<SupervisorServices> => ({ instance: options.instance, checkout: options.checkout, services: supervisor.list() }));

  app.post<{ Params: { name: string; action: string } }>('/services/:name/:action', { config: { scope: 'admin' } }, async (request, reply) => {
    const { name, action } = request.params;
    if (!(ACTIONS as readonly string[]).includes(action)) return reply.code(404).send(errorBody(404, `no action "${action}": use ${ACTIONS.map((a) => `POST /services/${name}/${a}`).join(', ')}`));
    const service = await supervisor.act(name, action as SupervisorAction);
    return reply.code(202).send(service);
  });

  app.get<{ Querystring: RawLogQuery }>('/logs', async (request) => logs.query(parseLogQuery(request.query, supervisor.names())));

  app.get<{ Querystring: RawLogQuery }>('/logs/download', async (request, reply) => {
    const filter = parseLogQuery({ ...request.query, limit: undefined }, supervisor.names());
    // Everything buffered that matches (the per-service cap bounds it).
    const page = logs.query({ ...filter, limit: logs.capPerService * Math.max(1, filter.services?.length ?? supervisor.names().length) });
    const name = `hypernode-logs-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`;
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(page.lines.map((l) => JSON.stringify(l)).join('\n') + (page.lines.length > 0 ? '\n' : ''));
  });

  app.get<{ Querystring: RawLogQuery }>('/logs/stream', { websocket: true }, (socket, request) => {
    const send = (frame: LogStreamFrame) => socket.send(JSON.stringify(frame));
    let filter;
    try {
      filter = parseLogQuery({ services: request.query.services, level: request.query.level, q: request.query.q }, supervisor.names());
    } catch (error) {
      send({ type: 'error', message: (error as Error).message });
      socket.close(1008, 'bad query');
      return;
    }
    const wanted = filter.services ? new Set(filter.services) : undefined;
    let pending: LogLine[] = [];
    let skipped = 0;
    const offLine = logs.onLine((line) => {
      if ((wanted && !wanted.has(line.service)) || !atLeast(line, filter.level) || (filter.match && !filter.match(line))) return;
      pending.push(line);
    });
    const offState = supervisor.onState((service) => {
      if (!wanted || wanted.has(service.name)) send({ type: 'state', service });
    });
    const timer = setInterval(() => {
      if (pending.length === 0) return;
      const lines = pending;
      pending = [];
      if (socket.bufferedAmount > STREAM_BACKLOG_BYTES) {
        skipped += lines.length;
        return;
      }
      if (skipped > 0) {
        send({ type: 'error', message: `${skipped} lines skipped: this client reads slower than the services print (fetch them with GET /logs)` });
        skipped = 0;
      }
      send({ type: 'lines', lines });
    }, STREAM_BATCH_MS);
    socket.on('close', () => {
      clearInterval(timer);
      offLine();
      offState();
    });
    // A client has nothing to say on this stream; anything it sends is ignored.
    socket.on('message', () => undefined);
  });

  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}
