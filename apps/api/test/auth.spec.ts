import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listServices } from '@hypernode/ports';
import { createSignInToken } from '@hypernode/store';
import { buildApp } from '../src/app.js';
import { RouteAuthError } from '../src/plugins/auth.js';
import { rateLimitKey } from '../src/plugins/security.js';
import { bearer, startTestApi, type TestApi } from './harness.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ rateLimitMax: 1_000_000 });
});
afterAll(async () => {
  await api?.close();
});

const site = () => listServices({ env: {} }).find((s) => s.name === 'site')!.url;
/** Signs in with a fresh one-time token; returns the Cookie header and the Set-Cookie it came from. */
async function signIn(scopes: Array<'read' | 'deploy' | 'admin'> = ['admin']) {
  const token = await createSignInToken(api.pool, { scopes });
  const res = await api.app.inject({ method: 'POST', url: '/auth/sign-in', payload: { token }, headers: { origin: site() } });
  expect(res.statusCode).toBe(200);
  const setCookie = String(res.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0]!, setCookie, token, principal: res.json().principal };
}

describe('sessions', () => {
  it('a one-time sign-in token gives an HttpOnly, SameSite=Lax session cookie (not Secure over http), once', async () => {
    const { cookie, setCookie, token, principal } = await signIn();
    expect(cookie).toMatch(/^hn_session=hns_[A-Za-z0-9_-]{43}$/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    expect(principal).toMatchObject({ kind: 'session', scopes: ['admin'] });
    const me = await api.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
    expect(me.json()).toEqual({ principal });
    const again = await api.app.inject({ method: 'POST', url: '/auth/sign-in', payload: { token } });
    expect(again.statusCode).toBe(401);
    expect(again.json().message).toMatch(/already used/);
    expect(again.body).not.toContain(token);
  });

  it('sign-out ends the session: the next call with the cookie is 401', async () => {
    const { cookie } = await signIn();
    expect((await api.app.inject({ method: 'GET', url: '/deployments', headers: { cookie } })).statusCode).toBe(200);
    const out = await api.app.inject({ method: 'POST', url: '/auth/sign-out', headers: { cookie, origin: site() } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/hn_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await api.app.inject({ method: 'GET', url: '/deployments', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toMatch(/session is revoked: sign in again/);
  });

  it('a pasted key signs in with its scopes; a session cannot do more than its key', async () => {
    const key = await api.mintKey(['read']);
    const res = await api.app.inject({ method: 'POST', url: '/auth/sign-in', payload: { key }, headers: { origin: site() } });
    expect(res.json().principal).toMatchObject({ kind: 'session', scopes: ['read'] });
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    expect((await api.app.inject({ method: 'POST', url: '/deployments', headers: { cookie, origin: site() }, payload: { model: 'm', minVramGb: 1 } })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'POST', url: '/auth/sign-in', payload: { key: 'hn_nope' } })).statusCode).toBe(401);
  });

  it('the cookie is Secure when the request came over https through the trusted proxy (production)', async () => {
    const prod = await api.twin({ profile: 'production', trustProxy: ['127.0.0.1'] });
    try {
      const token = await createSignInToken(api.pool, { scopes: ['read'] });
      const res = await prod.inject({ method: 'POST', url: '/auth/sign-in', payload: { token }, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' } });
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await prod.close();
    }
  });

  it('/auth/me names a node for its credential, 401 for none', async () => {
    const node = await api.registerNode('me-node');
    expect((await api.app.inject({ method: 'GET', url: '/auth/me', headers: node.auth })).json().principal).toMatchObject({ kind: 'node', nodeId: node.id, name: 'me-node', scopes: [] });
    const none = await api.app.inject({ method: 'GET', url: '/auth/me' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('cross-site requests', () => {
  it('refuses a cross-site form post and a cross-origin fetch carrying the cookie; the same from a frontend passes', async () => {
    const { cookie } = await signIn();
    const form = await api.app.inject({ method: 'POST', url: '/deployments', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'model=x&minVramGb=1' });
    expect(form.statusCode).toBe(403);
    expect(form.json().message).toMatch(/cross-site request refused/);
    const fetchLike = await api.app.inject({ method: 'POST', url: '/deployments', headers: { cookie, origin: 'https://evil.example' }, payload: { model: 'x', minVramGb: 1 } });
    expect(fetchLike.statusCode).toBe(403);
    const { id } = (await api.app.inject({ method: 'POST', url: '/deployments', headers: api.as.deploy, payload: { model: 'c', minVramGb: 1 } })).json();
    expect((await api.app.inject({ method: 'POST', url: `/deployments/${id}/cancel`, headers: { cookie, origin: 'https://evil.example' } })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'POST', url: `/deployments/${id}/cancel`, headers: { cookie } })).statusCode).toBe(403); // no Origin
    expect((await api.app.inject({ method: 'GET', url: `/deployments/${id}`, headers: api.as.read })).json().status).toBe('queued');

    const ok = await api.app.inject({ method: 'POST', url: '/deployments', headers: { cookie, origin: site() }, payload: { model: 'x', minVramGb: 1 } });
    expect(ok.statusCode).toBe(201);
    expect(ok.headers['access-control-allow-origin']).toBe(site());
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect((await api.app.inject({ method: 'POST', url: `/deployments/${id}/cancel`, headers: { cookie, origin: site() } })).statusCode).toBe(200);
  });

  it('a key in Authorization needs no Origin (scripts), and sign-in from a foreign Origin is refused', async () => {
    expect((await api.app.inject({ method: 'POST', url: '/deployments', headers: { ...api.as.deploy, origin: 'https://evil.example' }, payload: { model: 'x', minVramGb: 1 } })).statusCode).toBe(201);
    const token = await createSignInToken(api.pool, { scopes: ['admin'] });
    expect((await api.app.inject({ method: 'POST', url: '/auth/sign-in', headers: { origin: 'https://evil.example' }, payload: { token } })).statusCode).toBe(403);
  });
});

describe('mechanics', () => {
  it('401 before 400: a bad body, malformed JSON or an oversize body without a credential is 401', async () => {
    expect((await api.app.inject({ method: 'POST', url: '/deployments', payload: { nonsense: true } })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'POST', url: '/deployments', payload: '{"model":', headers: { 'content-type': 'application/json' } })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'POST', url: '/deployments', payload: { model: 'x'.repeat(api.config.bodyLimit) } })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: '/deployments?limit=nope' })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'POST', url: '/deployments', payload: { nonsense: true }, headers: api.as.deploy })).statusCode).toBe(400);
  });

  it('a route without an auth decision stops the app from being built, naming the route', async () => {
    const app = buildApp({ config: api.config, pool: api.pool, redis: api.redis });
    expect(() => app.get('/undecided', async () => 'x')).toThrow(RouteAuthError);
    expect(() => app.get('/undecided2', async () => 'x')).toThrow(/route GET \/undecided2 has no auth decision .*config: \{ auth: 'public' \| 'read' \| 'deploy' \| 'admin' \| 'node' \}/);
    expect(() => app.post('/nodes/:id/x', { config: { auth: 'node' } }, async () => 'x')).toThrow(/does not say what its :id names/);
    await app.close();
    const inPlugin = buildApp({ config: api.config, pool: api.pool, redis: api.redis });
    void inPlugin.register(async (child) => {
      child.get('/in-plugin', async () => 'x');
    });
    await expect(inPlugin.ready()).rejects.toThrow(/route GET \/in-plugin has no auth decision/);
  });

  it('keys: an admin creates (shown once), lists without secrets and revokes; a deploy key may not', async () => {
    const made = await api.app.inject({ method: 'POST', url: '/keys', headers: api.as.admin, payload: { name: 'ci', scopes: ['deploy'], expiresInS: 3600 } });
    expect(made.statusCode).toBe(201);
    const { id, key, expiresAt } = made.json();
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect((await api.app.inject({ method: 'POST', url: '/deployments', headers: bearer(key), payload: { model: 'k', minVramGb: 1 } })).statusCode).toBe(201);
    const list = await api.app.inject({ method: 'GET', url: '/keys', headers: api.as.admin });
    expect(list.json().items.find((k: { id: string }) => k.id === id)).toMatchObject({ name: 'ci', scopes: ['deploy'], revokedAt: null, lastUsedAt: expect.any(String) });
    expect(list.body).not.toContain(key.slice(3));
    expect((await api.app.inject({ method: 'POST', url: '/keys', headers: bearer(key), payload: { name: 'x', scopes: ['admin'] } })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'POST', url: '/keys', headers: api.as.admin, payload: { name: 'x', scopes: ['root'] } })).statusCode).toBe(400);
    expect((await api.app.inject({ method: 'POST', url: `/keys/${id}/revoke`, headers: api.as.admin })).statusCode).toBe(204);
    expect((await api.app.inject({ method: 'POST', url: `/keys/${id}/revoke`, headers: api.as.admin })).statusCode).toBe(404);
    const after = await api.app.inject({ method: 'GET', url: '/deployments', headers: bearer(key) });
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toMatch(/the API key is revoked/);
  });

  it('a node reports only on deployments assigned to it, and a join token is not a login', async () => {
    const a = await api.registerNode('owner-a');
    const b = await api.registerNode('owner-b');
    const { id } = (await api.app.inject({ method: 'POST', url: '/deployments', headers: api.as.deploy, payload: { model: 'o', minVramGb: 1 } })).json();
    const report = (auth: Record<string, string>) => api.app.inject({ method: 'POST', url: `/deployments/${id}/progress`, headers: auth, payload: { status: 'running', progress: 1 } });
    expect((await report(a.auth)).statusCode).toBe(403); // queued: assigned to nobody
    await api.pool.query("UPDATE deployments SET status = 'scheduled', node_id = $2 WHERE id = $1", [id, a.id]);
    const stolen = await report(b.auth);
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().message).toMatch(/is not assigned to node/);
    expect((await report(a.auth)).statusCode).toBe(200);
    const join = (await api.app.inject({ method: 'POST', url: '/join-tokens', headers: api.as.admin, payload: { uses: 1, expiresInS: 600 } })).json().token;
    expect((await api.app.inject({ method: 'GET', url: '/deployments', headers: bearer(join) })).json().message).toMatch(/only registers a node/);
  });

  it('the rate-limit key of a request whose client already hung up (no address) is the shared empty one, not a TypeError', () => {
    expect(rateLimitKey({ principal: undefined, ip: undefined as unknown as string })).toBe('address:');
    expect(rateLimitKey({ principal: undefined, ip: '2001:db8:1:2:3:4:5:6' })).toBe('address:2001:db8:1:2::');
    expect(rateLimitKey({ principal: undefined, ip: '::ffff:198.51.100.7' })).toBe('address:198.51.100.7');
  });

  it('behind the proxy (production) the rate limit keys anonymous calls by the forwarded client address (IPv6 by its /64); elsewhere X-Forwarded-For is ignored', async () => {
    const limited = await startTestApi({ rateLimitMax: 1 });
    const prod = await limited.twin({ profile: 'production', trustProxy: ['127.0.0.1'] });
    try {
      const call = (app: typeof prod, xff: string) => app.inject({ method: 'GET', url: '/auth/me', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': xff } });
      expect((await call(prod, '203.0.113.1')).statusCode).toBe(401);
      expect((await call(prod, '203.0.113.2')).statusCode).toBe(401);
      expect((await call(prod, '203.0.113.1')).statusCode).toBe(429);
      // An IPv6 client is counted by its /64 (a host holds the whole /64); another /64 is another client.
      expect((await call(prod, '2001:db8:1:2::1')).statusCode).toBe(401);
      expect((await call(prod, '2001:db8:1:2:ffff:0:0:9')).statusCode).toBe(429);
      expect((await call(prod, '2001:db8:1:3::1')).statusCode).toBe(401);
      // The IPv4-mapped form of an address that spent its allowance is the same client.
      expect((await call(prod, '::ffff:203.0.113.2')).statusCode).toBe(429);
      expect((await call(limited.app, '198.51.100.1')).statusCode).toBe(401);
      expect((await call(limited.app, '198.51.100.2')).statusCode).toBe(429); // same socket address: same bucket
    } finally {
      await prod.close();
      await limited.close();
    }
  });
});
