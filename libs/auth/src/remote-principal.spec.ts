import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRemotePrincipal, RemoteAuthError } from './remote-principal.js';

const PRINCIPAL = { kind: 'key', id: '00000000-0000-4000-8000-000000000001', scopes: ['read'] };
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A stand-in api: GET /auth/me answers 200 for `Bearer good`, 401 otherwise (or never, when `hang`). */
async function fakeApi(behaviour: { hang?: boolean } = {}) {
  const seen: IncomingHttpHeaders[] = [];
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (behaviour.hang) return;
    if (req.url !== '/auth/me') return res.writeHead(404).end();
    if (req.headers.authorization === 'Bearer good' || req.headers.cookie === 'hn_session=hns_ok') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ principal: PRINCIPAL }));
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'unknown API key' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RemoteAuthError);

describe('createRemotePrincipal', () => {
  it('asks the api once per credential within the cache window, forwarding only Authorization and Cookie', async () => {
    const api = await fakeApi();
    const remote = createRemotePrincipal({ apiUrl: api.url });
    const [a, b] = await Promise.all([remote.principalOf({ authorization: 'Bearer good' }), remote.principalOf({ authorization: 'Bearer good' })]);
    expect(a).toEqual(PRINCIPAL);
    expect(b).toEqual(PRINCIPAL);
    await remote.principalOf({ authorization: 'Bearer good' });
    expect(api.seen).toHaveLength(1);
    expect(await remote.principalOf({ cookie: 'hn_session=hns_ok' })).toEqual(PRINCIPAL);
    expect(api.seen).toHaveLength(2);
    expect(api.seen[1]!.cookie).toBe('hn_session=hns_ok');
    expect(api.seen[1]!.authorization).toBeUndefined();
  });

  it('re-asks after the cache window', async () => {
    const api = await fakeApi();
    const remote = createRemotePrincipal({ apiUrl: api.url, cacheMs: 50 });
    await remote.principalOf({ authorization: 'Bearer good' });
    await new Promise((r) => setTimeout(r, 80));
    await remote.principalOf({ authorization: 'Bearer good' });
    expect(api.seen).toHaveLength(2);
  });

  it("passes the api's 401 on and never caches it; no credential is a 401 without asking", async () => {
    const api = await fakeApi();
    const remote = createRemotePrincipal({ apiUrl: api.url });
    for (let i = 0; i < 2; i++) {
      const e = await failure(remote.principalOf({ authorization: 'Bearer bad' }));
      expect(e).toBeInstanceOf(RemoteAuthError);
      expect(e).toMatchObject({ statusCode: 401, message: 'unknown API key', code: 'E_REMOTE_AUTH' });
    }
    expect(api.seen).toHaveLength(2);
    expect(await failure(remote.principalOf({}))).toMatchObject({ statusCode: 401, message: expect.stringContaining('no credential') });
    expect(api.seen).toHaveLength(2);
  });

  it('answers 503 naming the api within its bound when the api hangs or is gone', async () => {
    const api = await fakeApi({ hang: true });
    const remote = createRemotePrincipal({ apiUrl: api.url, timeoutMs: 200 });
    const t0 = Date.now();
    expect(await failure(remote.principalOf({ authorization: 'Bearer good' }))).toMatchObject({ statusCode: 503, dependency: 'api', message: expect.stringMatching(/^api is unavailable.*no answer within 200 ms/) });
    expect(Date.now() - t0).toBeLessThan(1000);
    server!.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
    expect(await failure(remote.principalOf({ authorization: 'Bearer good' }))).toMatchObject({ statusCode: 503, dependency: 'api', message: expect.stringContaining('ECONNREFUSED') });
  });
});
