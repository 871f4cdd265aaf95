import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

/** An admin session cookie value the stand-in api knows. */
export const ADMIN_SESSION = 'hns_admin-test-session';

/** Credentials the stand-in api knows, by bearer token. */
export const PRINCIPALS: Record<string, { kind: 'key' | 'session'; id: string; scopes: string[] }> = {
  'hn_admin-test-key': { kind: 'key', id: '00000000-0000-4000-8000-0000000000a1', scopes: ['admin', 'deploy', 'read'] },
  'hn_deploy-test-key': { kind: 'key', id: '00000000-0000-4000-8000-0000000000d1', scopes: ['deploy', 'read'] },
};

/**
 * A stand-in for the api's `GET /auth/me` on port 0, following the contract: 200 `{principal}`
 * for a known `Authorization: Bearer …`, 401 `{statusCode, error, message}` otherwise.
 * `state.hang` makes it stop answering (an api that is down but holds the connection).
 */
export async function startFakeAuthApi() {
  const state = { hang: false, calls: 0 };
  const server: Server = createServer((req, res) => {
    state.calls++;
    if (state.hang) return;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const session = /(?:^|;\s*)hn_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const principal = bearer ? PRINCIPALS[bearer] : session === ADMIN_SESSION ? { kind: 'session' as const, id: '00000000-0000-4000-8000-0000000000c1', scopes: ['admin', 'deploy', 'read'] } : undefined;
    if (req.url === '/auth/me' && principal) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ principal }));
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'unknown API key' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    state,
    adminSession: ADMIN_SESSION,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
