import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventStreamKey, type HypernodeEvent } from '@hypernode/events';
import type { RealtimeConfig } from './config.js';
import { EventFeed } from './feed.js';
import { CLOSE, parseClientMessage, ProtocolError, type ServerMessage } from './protocol.js';

interface Client {
  socket: WebSocket;
  topics: Set<string>;
  /** Highest event id sent; anything not above it is a duplicate. */
  lastSentId: bigint;
  /** While a resume replays the backlog, live events wait here. */
  queue: HypernodeEvent[] | undefined;
  alive: boolean;
}

/** The realtime server: /health and WebSocket subscriptions on one port. */
export interface RealtimeServer {
  http: Server;
  wss: WebSocketServer;
  instanceId: string;
  /** Listens on the port; resolves once bound and following the event stream. */
  listen(port: number, host?: string): Promise<void>;
  /** Says goodbye to every client (1001) and releases the port and Redis; idempotent. */
  close(): Promise<void>;
}

/** Builds the realtime server without listening. */
export function createRealtimeServer(config: RealtimeConfig): RealtimeServer {
  const instanceId = randomUUID();
  const reader = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  const commands = new Redis(config.redisUrl, { lazyConnect: true });
  for (const r of [reader, commands]) r.on('error', () => undefined); // reconnects on its own; /health says so
  const feed = new EventFeed(reader, commands, eventStreamKey(config.redisPrefix));
  const clients = new Set<Client>();
  const allowed = new Set(config.allowedOrigins);

  const send = (client: Client, message: ServerMessage) => {
    if (client.socket.readyState !== client.socket.OPEN) return;
    if (client.socket.bufferedAmount > config.maxBufferedBytes) {
      // It stopped reading: drop it rather than buffer without bound or slow the others.
      clients.delete(client);
      client.socket.close(CLOSE.SLOW_CONSUMER, 'slow consumer: reconnect with lastEventId');
      setTimeout(() => client.socket.terminate(), 1000).unref();
      return;
    }
    client.socket.send(JSON.stringify(message));
  };

  const deliver = (client: Client, event: HypernodeEvent) => {
    const id = BigInt(event.id);
    if (id <= client.lastSentId || !event.topics.some((t) => client.topics.has(t))) return;
    client.lastSentId = id;
    send(client, { type: 'event', event });
  };

  const dispatch = (event: HypernodeEvent) => {
    for (const client of clients) {
      if (client.queue) client.queue.push(event);
      else deliver(client, event);
    }
  };

  const subscribe = async (client: Client, topics: string[], lastEventId: string | undefined) => {
    for (const t of topics) client.topics.add(t);
    send(client, { type: 'subscribed', topics: [...client.topics] });
    if (lastEventId === undefined) return;
    client.queue = [];
    try {
      const replay = await feed.replay(BigInt(lastEventId));
      if (replay.truncated) send(client, { type: 'reset', reason: `events after ${lastEventId} are no longer kept: reload the current state, then follow live events`, oldestEventId: replay.oldestEventId });
      client.lastSentId = BigInt(lastEventId);
      for (const event of replay.events) deliver(client, event);
    } finally {
      const queued = client.queue;
      client.queue = undefined;
      for (const event of queued) deliver(client, event);
    }
  };

  const http = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', service: 'realtime', instanceId, clients: clients.size, redis: commands.status }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 404, error: 'Not Found', message: `${req.method} ${req.url} is not a route here; connect a WebSocket to /` }));
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

  wss.on('connection', (socket) => {
    const client: Client = { socket, topics: new Set(), lastSentId: -1n, queue: undefined, alive: true };
    clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => clients.delete(client));
    socket.on('error', () => clients.delete(client));
    socket.on('message', (data, isBinary) => {
      try {
        if (isBinary) throw new ProtocolError('binary', 'binary frames are not understood: send JSON text');
        const message = parseClientMessage(data.toString());
        if (message.type === 'ping') send(client, { type: 'pong' });
        else if (message.type === 'unsubscribe') for (const t of message.topics) client.topics.delete(t);
        else void subscribe(client, message.topics, message.lastEventId).catch((error: Error) => send(client, { type: 'error', code: 'replay_failed', message: `could not replay missed events: ${error.message}; reconnect to retry` }));
      } catch (error) {
        const e = error instanceof ProtocolError ? error : new ProtocolError('bad_message', (error as Error).message);
        send(client, { type: 'error', code: e.code, message: e.message });
      }
    });
    send(client, { type: 'hello', instanceId });
  });

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        clients.delete(client);
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  let following: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  return {
    http,
    wss,
    instanceId,
    listen: async (port, host) => {
      try {
        await Promise.all([reader.connect(), commands.connect()]);
        await new Promise<void>((resolve, reject) => {
          http.once('error', reject);
          http.listen(port, host, () => {
            http.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        reader.disconnect();
        commands.disconnect();
        throw error;
      }
      following = feed.run(dispatch, (error) => console.error(`realtime: event stream read failed (${error.message}); retrying`));
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        feed.stop();
        for (const client of clients) client.socket.close(CLOSE.GOING_AWAY, 'server shutting down');
        wss.close();
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
        reader.disconnect();
        commands.disconnect();
        await following?.catch(() => undefined);
      })()),
  };
}
