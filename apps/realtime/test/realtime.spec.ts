import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventEpochKey, eventStreamKey } from '@hypernode/events';
import { listServices } from '@hypernode/ports';
import { CLOSE } from '../src/protocol.js';
import { keyProtocols, realtimeHarness } from './harness.js';

const { keys, redis, start, publish, connect, servers } = realtimeHarness();
const sockets: WebSocket[] = [];
const EPOCH = 'epoch-a';

afterEach(() => {
  for (const s of sockets.splice(0)) s.terminate();
});
beforeAll(async () => {
  await redis.set(eventEpochKey(keys.prefix), EPOCH);
});

describe('realtime', () => {
  it('delivers events on subscribed topics only', async () => {
    const client = await connect(await start());
    await client.subscribe(['deployments']);
    const wanted = await publish(['deployments', `deployment:${randomUUID()}`]);
    await publish(['nodes']);
    const last = await publish(['deployments']);
    await client.wait(() => client.eventIds().includes(last), 'events');
    expect(client.eventIds()).toEqual([wanted, last]);
  });

  it('fans every event out through every instance', async () => {
    const [a, b] = [await connect(await start()), await connect(await start())];
    await a.subscribe(['nodes']);
    await b.subscribe(['nodes']);
    const id = await publish(['nodes']);
    await a.wait(() => a.eventIds().includes(id), 'event on A');
    await b.wait(() => b.eventIds().includes(id), 'event on B');
    expect(a.frames.find((f) => f.type === 'hello')!.instanceId).not.toBe(b.frames.find((f) => f.type === 'hello')!.instanceId);
  });

  it('resumes after a disconnect with no gap and no duplicate', async () => {
    const url = await start();
    const first = await connect(url);
    await first.subscribe(['deployments']);
    const seen = [await publish(['deployments']), await publish(['deployments'])];
    await first.wait(() => first.eventIds().length === 2, 'first two');
    first.socket.close();
    const missed = [await publish(['deployments']), await publish(['nodes']), await publish(['deployments'])];
    const second = await connect(url);
    expect((await second.hello()).epoch).toBe(EPOCH);
    await second.subscribe(['deployments'], seen[1], EPOCH);
    const live = await publish(['deployments']);
    await second.wait(() => second.eventIds().includes(live), 'live event');
    expect(second.eventIds()).toEqual([missed[0], missed[2], live]);
  });

  it('resumes on ANOTHER instance (a replica behind the Service) with no gap and no duplicate', async () => {
    const [urlA, urlB] = [await start(), await start()];
    const first = await connect(urlA);
    await first.subscribe(['deployments']);
    const seen = await publish(['deployments']);
    await first.wait(() => first.eventIds().includes(seen), 'first event on A');
    // Instance A goes away (its pod is killed); the client reconnects through the Service to B.
    first.socket.terminate();
    const missed = [await publish(['deployments']), await publish(['deployments'])];
    const second = await connect(urlB);
    const hello = await second.hello();
    expect(hello.epoch).toBe(EPOCH);
    expect(hello.instanceId).not.toBe(first.frames.find((f) => f.type === 'hello')!.instanceId);
    await second.subscribe(['deployments'], seen, EPOCH);
    const live = await publish(['deployments']);
    await second.wait(() => second.eventIds().includes(live), 'live event on B');
    expect(second.eventIds()).toEqual([...missed, live]);
  });

  it('tells a client whose last id is older than the backlog to reset, then sends live events only', async () => {
    const url = await start();
    await publish(['deployments']);
    await publish(['deployments']);
    const kept = await publish(['deployments']);
    await redis.xtrim(eventStreamKey(keys.prefix), 'MINID', `${kept}-0`);
    const client = await connect(url);
    await client.subscribe(['deployments'], String(Number(kept) - 2), EPOCH);
    await client.wait(() => client.count('reset') > 0, 'reset');
    expect(client.frames.find((f) => f.type === 'reset')).toMatchObject({ type: 'reset', code: 'backlog_trimmed', epoch: EPOCH, oldestEventId: kept, lastEventId: kept });
    const live = await publish(['deployments']);
    await client.wait(() => client.eventIds().includes(live), 'live event');
    expect(client.eventIds()).toEqual([live]);
  });

  it('answers malformed messages and unknown topics with an error frame and keeps the connection', async () => {
    const client = await connect(await start());
    client.socket.send('{not json');
    client.socket.send(JSON.stringify({ type: 'subscribe', topics: ['secrets'] }));
    client.socket.send(JSON.stringify({ type: 'dance' }));
    await client.wait(() => client.frames.filter((f) => f.type === 'error').length === 3, 'three errors');
    expect(client.frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['bad_json', 'unknown_topic', 'bad_type']);
    await client.subscribe(['deployments']);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses a foreign Origin with 403 before the upgrade, and lets the registry\'s frontends in', async () => {
    const url = await start();
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, keyProtocols(), { headers: { origin: 'https://evil.example' } });
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
    const socket = new WebSocket(url, keyProtocols(), { autoPong: false });
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
    await reader.wait(() => reader.eventIds().includes(last), 'every event on the reading client');
    expect(reader.eventIds()).toHaveLength(400);
    (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    // The 4008 close frame waits behind the unread data, so the client usually sees the cut (1006).
    expect([CLOSE.SLOW_CONSUMER, 1006]).toContain(await closedCode);
    const health = (await (await fetch(url.replace('ws:', 'http:') + '/health')).json()) as { clients: number };
    expect(health.clients).toBe(1);
  }, 30_000);
});
