import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

/** Credentials the stand-in api knows (bearer tokens and session cookie values). */
export const CREDENTIALS = {
  reader: 'hn_reader-test-key',
  readerToo: 'hn_reader-two-test-key',
  node: 'hnn_node-test-credential',
  session: 'hns_session-test-value',
} as const;

const PRINCIPALS: Record<string, { kind: string; id: string; scopes: string[]; nodeId?: string }> = {
  [CREDENTIALS.reader]: { kind: 'key', id: '00000000-0000-4000-8000-0000000000a1', scopes: ['read'] },
  [CREDENTIALS.readerToo]: { kind: 'key', id: '00000000-0000-4000-8000-0000000000a2', scopes: ['read'] },
  [CREDENTIALS.node]: { kind: 'node', id: '00000000-0000-4000-8000-0000000000b1', scopes: [], nodeId: '00000000-0000-4000-8000-0000000000b1' },
  [CREDENTIALS.session]: { kind: 'session', id: '00000000-0000-4000-8000-0000000000c1', scopes: ['admin', 'deploy', 'read'] },
};

/**
 * A stand-in for the api's `GET /auth/me` on port 0, following the contract: the bearer token
 * or the `hn_session` cookie → 200 `{principal}`; anything else → 401. Counts its calls.
 */
export async function startFakeAuthApi() {
  const state = { calls: 0 };
  const server: Server = createServer((req, res) => {
    state.calls++;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const session = /(?:^|;\s*)hn_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const principal = PRINCIPALS[bearer ?? (session === CREDENTIALS.session ? session : '')];
    if (req.url === '/auth/me' && principal) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ principal }));
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'unknown credential' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    state,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
