import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { HypernodeEvent } from '@hypernode/events';
import { EventStream, type SocketLike, type StreamStatus } from './event-stream.js';

/** A stand-in realtime server speaking the same protocol: replays after lastEventId, then live. */
async function fakeRealtime() {
  let log: HypernodeEvent[] = [];
  let epoch = 'e1';
  const subscriptions: Array<string | undefined> = [];
  const resumes: Array<{ lastEventId?: string; epoch?: string }> = [];
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'hello', instanceId: 'fake', epoch }));
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      subscriptions.push(msg.lastEventId);
      resumes.push({ lastEventId: msg.lastEventId, epoch: msg.epoch });
      const after = msg.lastEventId ? Number(msg.lastEventId) : Infinity;
      // Replays with one duplicate on purpose: the client must drop it.
      for (const event of log) if (Number(event.id) >= after) socket.send(JSON.stringify({ type: 'event', event }));
    });
  });
  const publish = (id: number) => {
    const event = { id: String(id), type: 'deployment.updated', topics: ['deployments'], at: '', data: {} } as unknown as HypernodeEvent;
    log.push(event);
    for (const c of wss.clients) c.send(JSON.stringify({ type: 'event', event }));
  };
  await new Promise((r) => wss.once('listening', r));
  const url = () => `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  /** What a re-seed looks like to clients: a new epoch, ids from 1 again, and a reset naming the resume point. */
  const reseed = (next: string) => {
    epoch = next;
    log = [];
    for (const c of wss.clients) c.send(JSON.stringify({ type: 'reset', code: 'epoch_changed', reason: 'test', epoch, oldestEventId: null, lastEventId: '0' }));
  };
  const sendRaw = (text: string) => wss.clients.forEach((c) => c.send(text));
  return { wss, publish, url, subscriptions, resumes, reseed, sendRaw, dropAll: () => wss.clients.forEach((c) => c.terminate()) };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

let server: Awaited<ReturnType<typeof fakeRealtime>> | undefined;
let stream: EventStream | undefined;
afterEach(() => {
  stream?.close();
  server?.wss.close();
});

describe('EventStream', () => {
  it('reconnects after a drop, resumes from the last id, and applies nothing twice', async () => {
    server = await fakeRealtime();
    const seen: string[] = [];
    const statuses: StreamStatus[] = [];
    stream = new EventStream({ url: server.url(), topics: ['deployments'], onEvent: (e) => seen.push(e.id), onStatus: (s) => statuses.push(s), connect: (url) => new WebSocket(url) as unknown as SocketLike, baseDelayMs: 20 }).start();
    await until(() => statuses.includes('open'));
    server.publish(1);
    server.publish(2);
    await until(() => seen.length === 2);
    server.dropAll();
    await until(() => statuses.includes('reconnecting'));
    server.publish(3); // sent while the client is away
    await until(() => seen.includes('3'));
    server.publish(4);
    await until(() => seen.includes('4'));
    expect(seen).toEqual(['1', '2', '3', '4']);
    expect(server.subscriptions).toEqual([undefined, '2']);
  });

  it('resumes with the epoch its ids belong to, and after a reset takes the new epoch and resume point', async () => {
    server = await fakeRealtime();
    const seen: string[] = [];
    let resets = 0;
    const statuses: StreamStatus[] = [];
    stream = new EventStream({ url: server.url(), topics: ['deployments'], onEvent: (e) => seen.push(e.id), onReset: () => resets++, onStatus: (s) => statuses.push(s), connect: (url) => new WebSocket(url) as unknown as SocketLike, baseDelayMs: 20 }).start();
    await until(() => stream!.epoch === 'e1');
    server.publish(1);
    server.publish(2);
    await until(() => seen.length === 2);
    server.dropAll();
    await until(() => server!.resumes.length === 2);
    expect(server.resumes[1]).toEqual({ lastEventId: '2', epoch: 'e1' });
    server.reseed('e2');
    await until(() => resets === 1);
    expect(stream.epoch).toBe('e2');
    server.publish(1); // ids restarted in the new epoch: applied, not dropped as old
    await until(() => seen.length === 3);
    expect(seen).toEqual(['1', '2', '1']);
    server.dropAll();
    await until(() => server!.resumes.length === 3);
    expect(server.resumes[2]).toEqual({ lastEventId: '1', epoch: 'e2' });
  });

  it('ignores frames that are not JSON instead of throwing', async () => {
    server = await fakeRealtime();
    const seen: string[] = [];
    stream = new EventStream({ url: server.url(), topics: ['deployments'], onEvent: (e) => seen.push(e.id), connect: (url) => new WebSocket(url) as unknown as SocketLike, baseDelayMs: 20 }).start();
    await until(() => stream!.epoch === 'e1');
    server.sendRaw('not json');
    server.publish(1);
    await until(() => seen.length === 1);
  });

  it('backs off between attempts while the server is down, and says so', async () => {
    const statuses: StreamStatus[] = [];
    const attempts: number[] = [];
    stream = new EventStream({
      url: 'ws://127.0.0.1:1',
      topics: ['deployments'],
      onEvent: () => undefined,
      onStatus: (s) => statuses.push(s),
      connect: (url) => (attempts.push(Date.now()), new WebSocket(url) as unknown as SocketLike),
      baseDelayMs: 20,
      maxDelayMs: 80,
    }).start();
    await until(() => attempts.length >= 4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps[2]!).toBeGreaterThanOrEqual(gaps[0]!);
    expect(statuses).toContain('reconnecting');
    expect(statuses).not.toContain('open');
  });
});
