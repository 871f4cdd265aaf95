import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCall, HttpCallError } from './http-call.js';

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; type: string | undefined; body: string }> = [];
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/echo': (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, type: req.headers['content-type'], body });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ got: body ? JSON.parse(body) : null, auth: req.headers.authorization }));
    });
  },
  '/big': (_req, res) => res.writeHead(200).end('x'.repeat(100_000)),
  '/redirect': (_req, res) => res.writeHead(307, { location: '/echo' }).end('moved'),
  '/silent': () => undefined, // never answers
  '/stalled-body': (_req, res) => res.writeHead(200, { 'content-length': '100' }).write('partial'),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[req.url!];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('httpCall', () => {
  it('sends JSON with its content type and the headers given, and answers the status and body', async () => {
    const answer = await httpCall(`${base}/echo`, { json: { a: 1 }, headers: { authorization: 'Bearer k' }, timeoutMs: 2000 });
    expect(answer).toEqual({ status: 201, body: JSON.stringify({ got: { a: 1 }, auth: 'Bearer k' }), truncated: false });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/echo', type: 'application/json', body: '{"a":1}' });
  });

  it('reads at most maxBytes of the body and says it was cut', async () => {
    const answer = await httpCall(`${base}/big`, { timeoutMs: 2000, maxBytes: 4096 });
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(4096);
    expect(answer.truncated).toBe(true);
  });

  it('never follows a redirect: the 3xx is the answer', async () => {
    const before = seen.length;
    const answer = await httpCall(`${base}/redirect`, { timeoutMs: 2000 });
    expect(answer).toMatchObject({ status: 307, body: 'moved' });
    expect(seen.length).toBe(before);
  });

  it('bounds the whole exchange: no answer, or headers then a stalled body, is a timed-out HttpCallError naming the URL', async () => {
    for (const path of ['/silent', '/stalled-body']) {
      const error = await httpCall(`${base}${path}`, { timeoutMs: 200 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpCallError);
      expect(error).toMatchObject({ timedOut: true, message: `GET ${base}${path}: no whole answer within 200 ms` });
    }
  });

  it('a refused connection is an HttpCallError that is not a timeout and names the cause', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const error = await httpCall(`http://127.0.0.1:${port}/x`, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpCallError);
    expect(error).toMatchObject({ timedOut: false, message: expect.stringContaining(`GET http://127.0.0.1:${port}/x: `) });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});
