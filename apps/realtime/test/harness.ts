import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { eventEpochKey, eventStreamKey, type HypernodeEvent } from '@hypernode/events';
import { testRedisPrefix } from '@hypernode/testing';
import { loadRealtimeConfig, type RealtimeConfig } from '../src/config.js';
import { createRealtimeServer, type RealtimeServer } from '../src/server.js';
import { BEARER_PROTOCOL_PREFIX, PROTOCOL } from '../src/upgrade-auth.js';
import { CREDENTIALS, startFakeAuthApi } from './fake-auth-api.js';

/** A frame as a test client records it. */
export type Frame = { type: string; event?: HypernodeEvent; code?: string; [k: string]: unknown };

/** Polls `predicate` every 20 ms, at most `ms`; throws naming `what` (and `context()`) when it never holds. */
export async function waitFor(predicate: () => boolean, what: string, ms = 3000, context: () => unknown = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!predicate()) throw new Error(`timed out after ${ms} ms waiting for ${what} ${JSON.stringify(context()).slice(0, 2000)}`);
}

/** The subprotocols that carry `key` (a `read` key unless said otherwise). */
export const keyProtocols = (key: string = CREDENTIALS.reader) => [PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${key}`];

/**
 * Real servers on port 0 against the shared Redis under a throw-away prefix, a stand-in api
 * for `GET /auth/me` on port 0, and recording clients (with a `read` key in the subprotocol
 * unless told otherwise); everything opened is closed (and every key under the prefix deleted)
 * after the file.
 */
export function realtimeHarness() {
  const keys = testRedisPrefix();
  const redis = new Redis(keys.url);
  const servers: RealtimeServer[] = [];
  const sockets: WebSocket[] = [];
  let nextId = 1;
  let api: Awaited<ReturnType<typeof startFakeAuthApi>>;
  beforeAll(async () => {
    api = await startFakeAuthApi();
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.terminate();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await keys.cleanup();
    redis.disconnect();
    await api.close();
  });

  const config = (overrides: Partial<RealtimeConfig> = {}): RealtimeConfig => ({ ...loadRealtimeConfig({}), redisUrl: keys.url, redisPrefix: keys.prefix, streamBlockMs: 200, apiUrl: api.url, ...overrides });

  /** Starts a server; resolves with its ws:// URL once it follows the stream (unless `follow` is false). */
  async function start(overrides: Partial<RealtimeConfig> = {}, { follow = true } = {}): Promise<string> {
    const server = createRealtimeServer(config(overrides));
    servers.push(server);
    await server.listen(0, '127.0.0.1');
    const url = `ws://127.0.0.1:${(server.http.address() as { port: number }).port}`;
    if (follow) await waitFor(() => server.following, 'the server to reach Redis');
    return url;
  }

  /** Appends an event the way the api's relay does (stream id = event id). */
  async function publish(topics: string[], extra: object = {}): Promise<string> {
    const id = String(nextId++);
    const event = { id, type: 'deployment.updated', topics, at: new Date().toISOString(), data: { ...extra } };
    await redis.xadd(eventStreamKey(keys.prefix), `${id}-0`, 'event', JSON.stringify(event));
    return id;
  }

  /** Appends `count` events on `topics` in pipelined batches; returns the last id. */
  async function publishMany(count: number, topics: string[]): Promise<string> {
    let last = '';
    for (let done = 0; done < count; done += 1000) {
      const batch = redis.pipeline();
      for (let i = done; i < Math.min(count, done + 1000); i++) {
        last = String(nextId++);
        batch.xadd(eventStreamKey(keys.prefix), `${last}-0`, 'event', JSON.stringify({ id: last, type: 'deployment.updated', topics, at: '', data: {} }));
      }
      await batch.exec();
    }
    return last;
  }

  /** What the api's relay does when it re-seeds: a new stream (ids from `firstId`) and a new epoch. */
  async function reseed(epoch: string, firstId = 1): Promise<void> {
    await redis.del(eventStreamKey(keys.prefix));
    nextId = firstId;
    await redis.set(eventEpochKey(keys.prefix), epoch);
  }

  /** A client that records every frame and how its socket closed; `protocols` carry its credential (a `read` key by default). */
  async function connect(url: string, headers: Record<string, string> = {}, protocols: string[] = keyProtocols()) {
    const socket = new WebSocket(url, protocols, { headers });
    sockets.push(socket);
    const frames: Frame[] = [];
    let closeCode: number | undefined;
    socket.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
    const closed = new Promise<number>((r) => socket.once('close', (code) => r((closeCode = code))));
    await new Promise<void>((ok, fail) => {
      socket.once('open', () => ok());
      socket.once('error', fail);
    });
    const wait = (predicate: () => boolean, what: string, ms?: number) => waitFor(predicate, what, ms, () => frames.slice(-20));
    const eventIds = () => frames.filter((f) => f.type === 'event').map((f) => f.event!.id);
    const count = (type: string) => frames.filter((f) => f.type === type).length;
    const hello = async () => (await wait(() => count('hello') > 0, 'hello'), frames.find((f) => f.type === 'hello')!);
    const subscribe = async (topics: string[], lastEventId?: string, epoch?: string) => {
      const before = count('subscribed') + count('error');
      socket.send(JSON.stringify({ type: 'subscribe', topics, lastEventId, epoch }));
      await wait(() => count('subscribed') + count('error') > before || closeCode !== undefined, 'subscribed');
    };
    return { socket, frames, wait, eventIds, count, hello, subscribe, closed, closeCode: () => closeCode };
  }

  return { keys, redis, config, start, publish, publishMany, reseed, connect, servers, api: () => api };
}
