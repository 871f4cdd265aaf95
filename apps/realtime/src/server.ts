import { createServer, type Server } from 'node:http';
import { WebSocketServer } from 'ws';

/** Close code sent to clients when the server shuts down (RFC 6455 "going away"). */
export const CLOSE_GOING_AWAY = 1001;

/** The realtime server: an HTTP server answering /health with a `ws` server on the same port. */
export interface RealtimeServer {
  http: Server;
  wss: WebSocketServer;
  /** Listens on the port; resolves once bound. */
  listen(port: number, host?: string): Promise<void>;
  /** Says goodbye to every client (1001) and releases the port; idempotent. */
  close(): Promise<void>;
}

/** Builds the realtime server without listening. */
export function createRealtimeServer(): RealtimeServer {
  const http = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', service: 'realtime', clients: wss.clients.size }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 404, error: 'Not Found', message: `${req.method} ${req.url} is not a route here; connect a WebSocket to /` }));
  });
  const wss = new WebSocketServer({ server: http, maxPayload: 64 * 1024 });
  wss.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'hello', service: 'realtime' }));
  });
  let closing: Promise<void> | undefined;
  return {
    http,
    wss,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve();
        });
      }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const client of wss.clients) client.close(CLOSE_GOING_AWAY, 'server shutting down');
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      })),
  };
}
