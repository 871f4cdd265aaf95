import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { eventEpochKey, eventStreamKey } from '@hypernode/events';
import { checkReadiness, healthBody } from '@hypernode/service-kit';
import type { RealtimeConfig } from './config.js';
import { Connection } from './connection.js';
import { EventFeed } from './feed.js';
import { Hub } from './hub.js';
import { CLOSE } from './protocol.js';
import { createRedisConnections } from './redis.js';

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

/** Builds the realtime server without listening. */
export function createRealtimeServer(config: RealtimeConfig): RealtimeServer {
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayloadBytes });

  // Cross-Site WebSocket Hijacking: a browser page from a foreign origin is refused before
  // the upgrade. Clients without an Origin header are not browsers (workers, tools, tests).
  http.on('upgrade', (req, socket, head) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\norigin ${origin} is not allowed\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (socket, req: IncomingMessage) => {
    hub.accept(new Connection(socket, req.socket.remoteAddress ?? 'unknown', config));
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
        onEvent: (id, event) => hub.dispatch(id, event),
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
