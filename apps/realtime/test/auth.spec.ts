import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventEpochKey } from '@hypernode/events';
import { listServices } from '@hypernode/ports';
import { CLOSE } from '../src/protocol.js';
import { BEARER_PROTOCOL_PREFIX, PROTOCOL } from '../src/upgrade-auth.js';
import { CREDENTIALS } from './fake-auth-api.js';
import { keyProtocols, realtimeHarness } from './harness.js';

const h = realtimeHarness();
const SITE = () => listServices({ env: {} }).find((s) => s.name === 'site')!.url;
const SESSION_COOKIE = `theme=dark; hn_session=${CREDENTIALS.session}`;

beforeAll(async () => {
  await h.redis.set(eventEpochKey(h.keys.prefix), 'auth');
});

/** The HTTP status an upgrade gets (101 when it opens), with the answer's body and headers. */
function upgrade(url: string, protocols: string[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown>; protocol?: string }>((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    ws.on('open', () => {
      resolve({ status: 101, body: '', headers: {}, protocol: ws.protocol });
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

describe('realtime upgrade needs a credential', () => {
  it('answers 401 before the upgrade with no credential, an unknown key, or a key in the URL', async () => {
    const url = await h.start();
    for (const [target, protocols] of [
      [url, []],
      [url, keyProtocols('hn_unknown-key')],
      [`${url}/?key=${CREDENTIALS.reader}`, []],
      [`${url}/?access_token=${CREDENTIALS.reader}`, []],
    ] as const) {
      const res = await upgrade(target, [...protocols]);
      expect(res.status, target).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
  });

  it('takes a key in the subprotocol and answers with hypernode.v1 (never echoing the key); refuses the key without hypernode.v1', async () => {
    const url = await h.start();
    const ok = await upgrade(url, keyProtocols());
    expect(ok).toMatchObject({ status: 101, protocol: PROTOCOL });
    const alone = await upgrade(url, [`${BEARER_PROTOCOL_PREFIX}${CREDENTIALS.reader}`]);
    expect(alone.status).toBe(400);
    expect(JSON.parse(alone.body).message).toContain(PROTOCOL);
  });

  it('takes the session cookie only with an allowed Origin: none or a foreign one is a 403', async () => {
    const url = await h.start();
    expect((await upgrade(url, [], { cookie: SESSION_COOKIE })).status).toBe(403);
    expect((await upgrade(url, [], { cookie: SESSION_COOKIE, origin: 'https://evil.example' })).status).toBe(403);
    expect((await upgrade(url, [], { cookie: 'hn_session=hns_unknown', origin: SITE() })).status).toBe(401);
    const client = await h.connect(url, { cookie: SESSION_COOKIE, origin: SITE() }, []);
    await client.subscribe(['deployments']);
    const id = await h.publish(['deployments']);
    await client.wait(() => client.eventIds().includes(id), 'an event over the cookie connection');
  });

  it('asks the api once per credential while its answer is cached', async () => {
    const url = await h.start();
    const before = h.api().state.calls;
    await Promise.all([1, 2, 3].map(() => h.connect(url, {}, keyProtocols(CREDENTIALS.readerToo))));
    expect(h.api().state.calls - before).toBe(1);
  });
});

describe('scopes and caps', () => {
  it('a principal without read is refused every topic and gets no events', async () => {
    const url = await h.start();
    const node = await h.connect(url, {}, keyProtocols(CREDENTIALS.node));
    const reader = await h.connect(url);
    await node.subscribe(['deployments', 'nodes']);
    expect(node.frames.at(-1)).toMatchObject({ type: 'error', code: 'forbidden', message: expect.stringContaining('needs the read scope') });
    await reader.subscribe(['deployments', 'nodes']);
    const ids = [await h.publish(['deployments']), await h.publish(['nodes'])];
    await reader.wait(() => reader.eventIds().includes(ids[1]!), 'events on the reader');
    await new Promise((r) => setTimeout(r, 200));
    expect(node.eventIds()).toEqual([]);
    expect(node.count('subscribed')).toBe(0);
  });

  it('closes connections past the per-principal cap with 4030; another principal still gets in', async () => {
    const url = await h.start({ maxConnectionsPerPrincipal: 2 });
    const held = await Promise.all([1, 2].map(() => h.connect(url)));
    const extra = await h.connect(url);
    expect(await extra.closed).toBe(CLOSE.TOO_MANY_PRINCIPAL_CONNECTIONS);
    for (const c of held) expect(c.socket.readyState).toBe(WebSocket.OPEN);
    const other = await h.connect(url, {}, keyProtocols(CREDENTIALS.readerToo));
    await other.subscribe(['deployments']);
    expect(other.count('subscribed')).toBe(1);
    held[0]!.socket.close();
    await held[0]!.closed;
    const again = await h.connect(url);
    await again.subscribe(['nodes']);
    expect(again.count('subscribed')).toBe(1);
  });
});
