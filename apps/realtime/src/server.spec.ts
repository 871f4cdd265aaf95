import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_GOING_AWAY, createRealtimeServer, type RealtimeServer } from './server.js';

let server: RealtimeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<number> {
  server = createRealtimeServer();
  await server.listen(0, '127.0.0.1');
  return (server.http.address() as { port: number }).port;
}

describe('realtime server', () => {
  it('answers /health on the WebSocket port', async () => {
    const port = await start();
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', service: 'realtime', clients: 0 });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it('greets a client and sends 1001 on shutdown; close() is idempotent', async () => {
    const port = await start();
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const hello = await new Promise<string>((r) => client.once('message', (d) => r(d.toString())));
    expect(JSON.parse(hello)).toMatchObject({ type: 'hello', service: 'realtime' });
    const closed = new Promise<number>((r) => client.once('close', (code) => r(code)));
    await Promise.all([server!.close(), server!.close()]);
    expect(await closed).toBe(CLOSE_GOING_AWAY);
  });
});
