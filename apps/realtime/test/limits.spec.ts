import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventEpochKey } from '@hypernode/events';
import { portFor } from '@hypernode/ports';
import { freePort } from '@hypernode/testing';
import { CLOSE } from '../src/protocol.js';
import { createRealtimeServer } from '../src/server.js';
import { realtimeHarness } from './harness.js';
import { tcpProxy } from './tcp-proxy.js';

const h = realtimeHarness();
const httpUrl = (ws: string, path: string) => ws.replace('ws:', 'http:') + path;
const NODES = Array.from({ length: 5 }, (_, i) => `node:00000000-0000-4000-8000-00000000000${i}`);

beforeAll(async () => {
  await h.redis.set(eventEpochKey(h.keys.prefix), 'limits');
});

describe('caps', () => {
  it('closes connections past the per-address cap with 4029, and takes new ones once some close', async () => {
    const url = await h.start({ maxConnectionsPerAddress: 3 });
    const held = await Promise.all([1, 2, 3].map(() => h.connect(url)));
    const extra = await h.connect(url);
    expect(await extra.closed).toBe(CLOSE.TOO_MANY_CONNECTIONS);
    for (const c of held) expect(c.socket.readyState).toBe(c.socket.OPEN);
    held[0]!.socket.close();
    await held[0]!.closed;
    const again = await h.connect(url);
    await again.subscribe(['deployments']);
    expect(again.count('subscribed')).toBe(1);
  });

  it('caps topics per connection and echoes only what changed', async () => {
    const url = await h.start({ maxTopicsPerConnection: 3 });
    const client = await h.connect(url);
    await client.subscribe(NODES.slice(0, 4));
    expect(client.frames.at(-1)).toMatchObject({ type: 'error', code: 'bad_topics' });
    await client.subscribe(NODES.slice(0, 2));
    expect(client.frames.at(-1)).toMatchObject({ type: 'subscribed', added: NODES.slice(0, 2), removed: [], count: 2 });
    await client.subscribe(NODES.slice(1, 4));
    expect(client.frames.at(-1)).toMatchObject({ type: 'error', code: 'too_many_topics' });
    await client.subscribe(NODES.slice(1, 3));
    expect(client.frames.at(-1)).toMatchObject({ type: 'subscribed', added: [NODES[2]], removed: [], count: 3 });
    const before = client.count('subscribed');
    client.socket.send(JSON.stringify({ type: 'unsubscribe', topics: [NODES[0], 'deployments'] }));
    await client.wait(() => client.count('subscribed') > before, 'unsubscribe answer');
    expect(client.frames.at(-1)).toMatchObject({ type: 'subscribed', added: [], removed: [NODES[0]], count: 2 });
  });
});

describe('health and Redis outages', () => {
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;
  beforeAll(async () => {
    proxy = await tcpProxy(portFor('redis', { env: {} }));
  });
  afterAll(() => proxy.close());

  it('answers /ready 503 naming redis (and /health 200) when Redis is not there, within the probe bound', async () => {
    const url = await h.start({ redisUrl: `redis://127.0.0.1:${await freePort()}` }, { follow: false });
    const ready = await fetch(httpUrl(url, '/ready'), { signal: AbortSignal.timeout(2500) });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ statusCode: 503, status: 'unavailable', service: 'realtime', checks: [{ name: 'redis', ok: false }] });
    const health = await fetch(httpUrl(url, '/health'), { signal: AbortSignal.timeout(2500) });
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'realtime' });
  });

  it('keeps live clients through a Redis outage without error frames, then delivers what was published meanwhile', async () => {
    await proxy.pass();
    const url = await h.start({ redisUrl: proxy.url(), redisCommandTimeoutMs: 300 });
    expect((await fetch(httpUrl(url, '/ready'))).status).toBe(200);
    const client = await h.connect(url);
    await client.subscribe(['deployments']);
    const before = await h.publish(['deployments']);
    await client.wait(() => client.eventIds().includes(before), 'event before the outage');
    await proxy.refuse();
    const during = await h.publish(['deployments']);
    expect((await fetch(httpUrl(url, '/ready'), { signal: AbortSignal.timeout(2500) })).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1000)); // the follower fails and retries meanwhile
    await proxy.pass();
    await client.wait(() => client.eventIds().includes(during), 'event published during the outage', 10_000);
    const after = await h.publish(['deployments']);
    await client.wait(() => client.eventIds().includes(after), 'event after the outage');
    expect(client.eventIds()).toEqual([before, during, after]);
    expect(client.count('error')).toBe(0);
    expect(client.count('reset')).toBe(0);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  }, 30_000);

  it('closes within its bound with Redis blackholed: 1001 to clients, no hang', async () => {
    await proxy.pass();
    const server = createRealtimeServer(h.config({ redisUrl: proxy.url(), redisCommandTimeoutMs: 300 }));
    h.servers.push(server);
    await server.listen(0, '127.0.0.1');
    const url = `ws://127.0.0.1:${(server.http.address() as { port: number }).port}`;
    const client = await h.connect(url);
    await client.subscribe(['deployments']);
    proxy.blackhole();
    const outcome = await Promise.race([server.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('hung'), 5000))]);
    expect(outcome).toBe('closed');
    expect(await client.closed).toBe(CLOSE.GOING_AWAY);
  }, 15_000);
});
