import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { apiFetch, NotSignedInError, signInFromLocation, signInTokenFrom, SignInError, whoAmI } from './auth-client.js';

const TOKEN = `hnt_${'A'.repeat(43)}`;
let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = undefined;
});

/** A stand-in api: /auth/sign-in accepts TOKEN once, /auth/me answers 401 without the cookie. */
async function fakeApi(): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  let used = false;
  server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.url === '/auth/sign-in') {
      const body = JSON.parse(raw) as { token?: string };
      bodies.push(body);
      const ok = body.token === TOKEN && !used;
      used = true;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(ok ? { principal: { kind: 'session', id: 'id-1', scopes: ['admin'] } } : { statusCode: 401, error: 'Unauthorized', message: 'unknown token' }));
    }
    res.writeHead(req.headers.cookie?.includes('hn_session=') ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ principal: { kind: 'session', id: 'id-1', scopes: ['admin'] } }));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, bodies };
}

function fakeLocation(hash: string) {
  const replaced: string[] = [];
  const location = { hash, pathname: '/deployments', search: '?status=running' } as Location;
  const history = { state: null, replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url) } as unknown as History;
  return { location, history, replaced };
}

describe('sign-in from the URL fragment', () => {
  it('reads only a well-formed hnt_ token from the fragment', () => {
    expect(signInTokenFrom(`#sign-in=${TOKEN}`)).toBe(TOKEN);
    expect(signInTokenFrom(`#x=1&sign-in=${TOKEN}`)).toBe(TOKEN);
    expect(signInTokenFrom('#sign-in=hn_abc')).toBeUndefined();
    expect(signInTokenFrom('')).toBeUndefined();
  });

  it('removes the fragment before posting the token, once', async () => {
    const api = await fakeApi();
    const { location, history, replaced } = fakeLocation(`#sign-in=${TOKEN}`);
    const who = await signInFromLocation(api.url, location, history);
    expect(who).toMatchObject({ kind: 'session', scopes: ['admin'] });
    expect(replaced).toEqual(['/deployments?status=running']);
    expect(api.bodies).toEqual([{ token: TOKEN }]);
    // A second caller on the same page (the fragment is gone) gets the same sign-in, no new request.
    await expect(signInFromLocation(api.url, fakeLocation('').location, history)).resolves.toBe(who);
    expect(api.bodies).toHaveLength(1);
    await expect(signInFromLocation(api.url, location, history)).rejects.toThrow(/used up or expired/);
    await expect(signInFromLocation(api.url, location, history)).rejects.toThrow(SignInError);
  });

  it('turns a 401 into NotSignedInError, and whoAmI into undefined', async () => {
    const api = await fakeApi();
    await expect(apiFetch(api.url, '/deployments')).rejects.toThrow(NotSignedInError);
    expect(await whoAmI(api.url)).toBeUndefined();
    await expect(apiFetch('http://127.0.0.1:0', '/x')).rejects.toThrow(/API unreachable/);
  });
});
