import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { createRemotePrincipal, type Principal, type RemotePrincipal } from '@hypernode/auth';
import { eventEpochKey, eventStreamKey } from '@hypernode/events';
import { checkReadiness, healthBody } from '@hypernode/service-kit';
import type { RealtimeConfig } from './config.js';
import { Connection } from './connection.js';
import { EventFeed } from './feed.js';
import { Hub } from './hub.js';
import { CLOSE } from './protocol.js';
import { createRedisConnections } from './redis.js';
import { fanOutTraced } from './fan-out-trace.js';
import { authenticateUpgrade, PROTOCOL, refuseUpgrade, UpgradeRefusedError } from './upgrade-auth.js';

/** Longest close() waits for clients to answer the 1001 close frame before cutting them. */
const CLOSE_GRACE_MS = 500;
/** Longest close() waits for the follower to notice it was stopped. */
const FOLLOWER_STOP_MS = 1000;

/** The realtime server: /health, /ready and WebSocket subscriptions on one port. */
export interface RealtimeServer {
  http: Server;
  wss: WebSocketServer;
  instanceId: string;
  /** True once the follower has reached the event stream (its epoch and position are known). */
  readonly following: boolean;
  /** Listens on the port; the follower reaches Redis in the background (see /ready). */
  listen(port: number, host?: string): Promise<void>;
  /** Says goodbye to every client (1001), stops the follower, releases the port and Redis; idempotent and bounded. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Builds the realtime server without listening. `principalOf` asks the api who a client is
 * (default: GET /auth/me on `config.apiUrl`).
 */
export function createRealtimeServer(config: RealtimeConfig, options: { principalOf?: RemotePrincipal['principalOf'] } = {}): RealtimeServer {
  const principalOf = options.principalOf ?? createRemotePrincipal({ apiUrl: config.apiUrl }).principalOf;
  const instanceId = randomUUID();
  const { commands, reader } = createRedisConnections(config);
  const feed = new EventFeed(reader, commands, { stream: eventStreamKey(config.redisPrefix), epoch: eventEpochKey(config.redisPrefix) }, { blockMs: config.streamBlockMs, pageSize: config.replayPageSize });
  const hub = new Hub(feed, config, instanceId);
  const allowed = new Set(config.allowedOrigins);

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return json(res, 200, { ...healthBody('realtime'), instanceId, clients: hub.connections.size });
    if (req.method === 'GET' && path === '/ready') {
      void checkReadiness('realtime', [{ name: 'redis', probe: () => commands.ping() }]).then(
        (report) => json(res, report.httpStatus, report.body),
        (error: Error) => json(res, 503, { statusCode: 503, error: 'Service Unavailable', message: `realtime not ready: ${error.message}` }),
      );
      return;
    }
    json(res, 404, { statusCode: 404, error: 'Not Found', message: `${req.method} ${req.url} is not a route here; connect a WebSocket to /, or GET /health or /ready` });
  });
  // The key subprotocol is never echoed back: the server answers with hypernode.v1 only.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayloadBytes, handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false) });

  // Every upgrade is decided before it happens: a foreign Origin (Cross-Site WebSocket
  // Hijacking) is a 403, no credential a 401, a credential the api does not know its 401.
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined); // a client that hangs up while the api is asked
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) return refuseUpgrade(socket, new UpgradeRefusedError(403, `origin ${origin.slice(0, 100)} is not allowed`));
    authenticateUpgrade(req, allowed, principalOf).then(
      (principal) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, principal)),
      (error: Error) => {
        if (!(error instanceof UpgradeRefusedError)) console.error(`realtime: unexpected error while checking a credential: ${error.stack ?? error.message}`);
        refuseUpgrade(socket, error instanceof UpgradeRefusedError ? error : new UpgradeRefusedError(500, 'unexpected error while checking the credential; see the realtime log'));
      },
    );
  });
  wss.on('connection', (socket: WebSocket, req: IncomingMessage, principal: Principal) => {
    hub.accept(new Connection(socket, req.socket.remoteAddress ?? 'unknown', config, principal));
  });

  const heartbeat = setInterval(() => {
    for (const c of hub.connections) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  let following: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  return {
    http,
    wss,
    instanceId,
    get following() {
      return feed.position !== undefined;
    },
    listen: async (port, host) => {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      // Start without Redis if need be (live clients are told when it comes: /ready says 503 meanwhile),
      // but give a reachable one a moment so the first read does not fail needlessly.
      const connecting = Promise.all([reader, commands].map((r) => r.connect()));
      connecting.catch(() => undefined);
      await Promise.race([connecting, sleep(config.redisCommandTimeoutMs)]).catch(() => undefined); // retried by retryStrategy
      following = feed.run({
        onEvent: (id, event, traceparent) => fanOutTraced(id, event, traceparent, (i, e) => hub.dispatch(i, e)),
        onReposition: (at) => hub.reposition(at),
        onError: (error) => console.error(`realtime: cannot read the event stream from Redis (${error.message}); live clients stay connected, retrying until Redis answers`),
        onRecovered: () => console.error('realtime: event stream readable again; following it'),
      });
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        feed.stop();
        hub.closeAll(CLOSE.GOING_AWAY, 'server shutting down: reconnect with lastEventId');
        const clientsGone = Promise.all([...wss.clients].map((s) => new Promise((r) => (s.readyState === s.CLOSED ? r(null) : s.once('close', r)))));
        await Promise.race([clientsGone, sleep(CLOSE_GRACE_MS)]);
        for (const s of wss.clients) s.terminate();
        wss.close();
        const released = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        await Promise.race([released, sleep(CLOSE_GRACE_MS)]);
        // disconnect(), not quit(): quit waits for an answer a blackholed Redis never sends.
        reader.disconnect();
        commands.disconnect();
        await Promise.race([following?.catch(() => undefined), sleep(FOLLOWER_STOP_MS)]);
      })()),
  };
}
