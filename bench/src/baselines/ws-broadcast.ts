// Baseline: a raw `ws` server that, on POST /broadcast, sends the posted JSON to every client
// (what the realtime path costs without a database, an outbox, a relay and a Redis stream).
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  if (req.method !== 'POST' || req.url !== '/broadcast') return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const frame = JSON.stringify({ type: 'event', event: { type: 'deployment.created', data: { deployment: JSON.parse(Buffer.concat(chunks).toString()) } } });
    for (const client of wss.clients) client.send(frame);
    res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
  });
});
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => ws.on('message', () => ws.send(JSON.stringify({ type: 'subscribed', added: ['deployments'], removed: [], count: 1 }))));
server.listen(Number(process.env.BASELINE_PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
});
