import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventStreamKey, type HypernodeEvent } from '@hypernode/events';
import { listServices } from '@hypernode/ports';
import { testRedisPrefix } from '@hypernode/testing';
import { loadRealtimeConfig } from '../src/config.js';
import { CLOSE } from '../src/protocol.js';
import { createRealtimeServer, type RealtimeServer } from '../src/server.js';

const keys = testRedisPrefix();
const redis = new Redis(keys.url);
const servers: RealtimeServer[] = [];
const sockets: WebSocket[] = [];
let nextId = 1;

beforeAll(() => undefined);
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await keys.cleanup();
  redis.disconnect();
});

async function start(overrides: Partial<ReturnType<typeof loadRealtimeConfig>> = {}): Promise<string> {
  const server = createRealtimeServer({ ...loadRealtimeConfig({}), redisUrl: keys.url, redisPrefix: keys.prefix, ...overrides });
  servers.push(server);
  await server.listen(0, '127.0.0.1');
  return `ws://127.0.0.1:${(server.http.address() as { port: number }).port}`;
}

/** Appends an event the way the api's relay does (stream id = event id). */
async function publish(topics: string[], extra: object = {}): Promise<string> {
  const id = String(nextId++);
  const event = { id, type: 'deployment.updated', topics, at: new Date().toISOString(), data: { ...extra } };
  await redis.xadd(eventStreamKey(keys.prefix), `${id}-0`, 'event', JSON.stringify(event));
  return id;
}

/** A client that records every frame. */
async function connect(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  sockets.push(socket);
  const frames: Array<{ type: string; event?: HypernodeEvent; code?: string; [k: string]: unknown }> = [];
  socket.on('message', (d) => frames.push(JSON.parse(d.toString())));
  await new Promise<void>((ok, fail) => {
    socket.once('open', () => ok());
    socket.once('error', fail);
  });
  const waitFor = async (predicate: () => boolean, what: string) => {
    for (let i = 0; i < 100 && !predicate(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!predicate()) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(frames)}`);
  };
  const eventIds = () => frames.filter((f) => f.type === 'event').map((f) => f.event!.id);
  const subscribe = async (topics: string[], lastEventId?: string) => {
    socket.send(JSON.stringify({ type: 'subscribe', topics, lastEventId }));
    await waitFor(() => frames.some((f) => f.type === 'subscribed'), 'subscribed');
  };
  return { socket, frames, waitFor, eventIds, subscribe };
}

describe('realtime', () => {
  it('delivers events on subscribed topics only', async () => {
    const client = await connect(await start());
    await client.subscribe(['deployments']);
    const wanted = await publish(['deployments', `deployment:${randomUUID()}`]);
    await publish(['nodes']);
    const last = await publish(['deployments']);
    await client.waitFor(() => client.eventIds().includes(last), 'events');
    expect(client.eventIds()).toEqual([wanted, last]);
  });

  it('fans every event out through every instance', async () => {
    const [a, b] = [await connect(await start()), await connect(await start())];
    await a.subscribe(['nodes']);
    await b.subscribe(['nodes']);
    const id = await publish(['nodes']);
    await a.waitFor(() => a.eventIds().includes(id), 'event on A');
    await b.waitFor(() => b.eventIds().includes(id), 'event on B');
    expect(a.frames.find((f) => f.type === 'hello')!.instanceId).not.toBe(b.frames.find((f) => f.type === 'hello')!.instanceId);
  });

  it('resumes after a disconnect with no gap and no duplicate', async () => {
    const url = await start();
    const first = await connect(url);
    await first.subscribe(['deployments']);
    const seen = [await publish(['deployments']), await publish(['deployments'])];
    await first.waitFor(() => first.eventIds().length === 2, 'first two');
    first.socket.close();
    const missed = [await publish(['deployments']), await publish(['nodes']), await publish(['deployments'])];
    const second = await connect(url);
    await second.subscribe(['deployments'], seen[1]);
    const live = await publish(['deployments']);
    await second.waitFor(() => second.eventIds().includes(live), 'live event');
    expect(second.eventIds()).toEqual([missed[0], missed[2], live]);
  });

  it('tells a client whose last id is older than the backlog to reset', async () => {
    const url = await start();
    await publish(['deployments']);
    await publish(['deployments']);
    const kept = await publish(['deployments']);
    await redis.xtrim(eventStreamKey(keys.prefix), 'MINID', `${kept}-0`);
    const client = await connect(url);
    await client.subscribe(['deployments'], String(Number(kept) - 2));
    await client.waitFor(() => client.frames.some((f) => f.type === 'reset'), 'reset');
    expect(client.frames.find((f) => f.type === 'reset')).toMatchObject({ type: 'reset', oldestEventId: kept });
    await client.waitFor(() => client.eventIds().includes(kept), 'kept event');
  });

  it('answers malformed messages and unknown topics with an error frame and keeps the connection', async () => {
    const client = await connect(await start());
    client.socket.send('{not json');
    client.socket.send(JSON.stringify({ type: 'subscribe', topics: ['secrets'] }));
    client.socket.send(JSON.stringify({ type: 'dance' }));
    await client.waitFor(() => client.frames.filter((f) => f.type === 'error').length === 3, 'three errors');
    expect(client.frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['bad_json', 'unknown_topic', 'bad_type']);
    await client.subscribe(['deployments']);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses a foreign Origin with 403 before the upgrade, and lets the registry\'s frontends in', async () => {
    const url = await start();
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers: { origin: 'https://evil.example' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
    const site = listServices({ env: {} }).find((s) => s.name === 'site')!.url;
    const ok = await connect(url, { origin: site });
    expect(ok.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('closes with 1009 on a frame over 64 KiB', async () => {
    const client = await connect(await start());
    const closed = new Promise<number>((r) => client.socket.once('close', (code) => r(code)));
    client.socket.send('x'.repeat(64 * 1024 + 1));
    expect(await closed).toBe(CLOSE.TOO_BIG);
  });

  it('sends 1001 to every client on close(), which is idempotent, and answers /health', async () => {
    const url = await start();
    const server = servers.at(-1)!;
    const health = await fetch(url.replace('ws:', 'http:') + '/health');
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'realtime', instanceId: server.instanceId });
    const client = await connect(url);
    const closed = new Promise<number>((r) => client.socket.once('close', (code) => r(code)));
    await Promise.all([server.close(), server.close()]);
    expect(await closed).toBe(CLOSE.GOING_AWAY);
  });

  it('drops a peer that stops answering pings', async () => {
    const url = await start({ heartbeatMs: 100 });
    const socket = new WebSocket(url, { autoPong: false });
    sockets.push(socket);
    const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
    await new Promise((r) => socket.once('open', r));
    expect(await closed).toBe(1006); // terminated: no close frame
  });

  it('drops a client that stops reading once its buffer passes the bound, and keeps serving the others', async () => {
    const url = await start({ maxBufferedBytes: 64 * 1024 });
    const stalled = await connect(url);
    const reader = await connect(url);
    await stalled.subscribe(['deployments']);
    await reader.subscribe(['deployments']);
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const closedCode = new Promise<number>((r) => stalled.socket.once('close', (code) => r(code)));
    const blob = 'x'.repeat(32 * 1024);
    let last = '';
    for (let i = 0; i < 400; i++) last = await publish(['deployments'], { blob });
    await reader.waitFor(() => reader.eventIds().includes(last), 'every event on the reading client');
    expect(reader.eventIds()).toHaveLength(400);
    (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    // The 4008 close frame waits behind the unread data, so the client usually sees the cut (1006).
    expect([CLOSE.SLOW_CONSUMER, 1006]).toContain(await closedCode);
    const health = (await (await fetch(url.replace('ws:', 'http:') + '/health')).json()) as { clients: number };
    expect(health.clients).toBe(1);
  }, 30_000);
});
