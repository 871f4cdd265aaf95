import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A join token the stand-in api accepts. */
export const JOIN_TOKEN = `hnj_${randomBytes(32).toString('base64url')}`;

/** One call the stand-in api received. */
export interface ApiCall {
  method: string;
  url: string;
  authorization: string | undefined;
  body: Record<string, unknown> | undefined;
}

/**
 * A stand-in api on port 0 that follows the auth contract for workers: POST /nodes needs
 * `Bearer <JOIN_TOKEN>` and answers 201 `{node, credential, dispatchSecret}`; heartbeat,
 * deregister and progress need `Bearer <that node's credential>` (401 otherwise). `forget()`
 * drops every credential, as an api whose database was reset would; `up = false` stops it answering.
 */
export async function startFakeApi() {
  const calls: ApiCall[] = [];
  const credentials = new Map<string, string>(); // credential → node id
  const issued: Array<{ nodeId: string; credential: string; dispatchSecret: string }> = [];
  const state = { up: true };
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  };
  const server: Server = createServer((req, res) => {
    if (!state.up) return req.socket.destroy();
    void read(req).then((body) => {
      const authorization = req.headers.authorization;
      calls.push({ method: req.method!, url: req.url!, authorization, body });
      const send = (status: number, answer?: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(answer ? JSON.stringify(answer) : undefined);
      const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
      if (req.method === 'POST' && req.url === '/nodes') {
        if (bearer !== JOIN_TOKEN) return send(401, { statusCode: 401, error: 'Unauthorized', message: 'join token needed' });
        const id = randomUUID();
        const credential = `hnn_${randomBytes(32).toString('base64url')}`;
        const dispatchSecret = `hnd_${randomBytes(32).toString('base64url')}`;
        credentials.set(credential, id);
        issued.push({ nodeId: id, credential, dispatchSecret });
        return send(201, { node: { id, name: body?.name, status: 'online' }, credential, dispatchSecret });
      }
      const nodeOf = bearer ? credentials.get(bearer) : undefined;
      if (!nodeOf) return send(401, { statusCode: 401, error: 'Unauthorized', message: 'unknown credential' });
      const nodeRoute = /^\/nodes\/([^/]+)\/(heartbeat|deregister)$/.exec(req.url ?? '');
      if (nodeRoute) {
        if (nodeRoute[1] !== nodeOf) return send(403, { statusCode: 403, error: 'Forbidden', message: 'another node' });
        return nodeRoute[2] === 'heartbeat' ? send(200, { id: nodeOf }) : send(204);
      }
      if (/^\/deployments\/[^/]+\/progress$/.test(req.url ?? '')) return send(200, {});
      send(404, { statusCode: 404, error: 'Not Found', message: 'no route' });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls,
    issued,
    state,
    forget: () => credentials.clear(),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
