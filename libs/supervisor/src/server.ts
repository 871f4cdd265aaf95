import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Pool } from 'pg';
import type { SupervisorServices } from '@hypernode/events';
import { checkAccess, errorBody } from './access.js';
import { LogQueryError, parseLogQuery, type RawLogQuery } from './log-query.js';
import { streamLogs } from './log-stream.js';
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
  // Cookies parsed (its onRequest hook) before the origin and credential check, and that check
  // before CORS answers a preflight and before any route.
  await app.register(cookie);
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

  app.get<{ Querystring: RawLogQuery }>('/logs/stream', { websocket: true }, (socket, request) =>
    streamLogs(socket, { store: logs, names: supervisor.names(), query: request.query, onState: (listener) => supervisor.onState(listener) }),
  );

  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}
