import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { portFor } from '@hypernode/ports';
import { probe } from './probes.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function closedPort(): Promise<number> {
  const port = await serve(() => undefined);
  await new Promise((r) => servers.pop()!.close(r));
  return port;
}

const at = (port: number) => ({ host: '127.0.0.1', port, timeoutMs: 1000 });

describe('health probes', () => {
  it('http: up on 2xx, down on 5xx with the status, down when nothing listens', async () => {
    const port = await serve((req, res) => res.writeHead(req.url === '/health' ? 200 : 503).end());
    expect(await probe({ type: 'http', path: '/health' }, at(port))).toEqual({ up: true, detail: 'HTTP 200 on /health' });
    expect(await probe({ type: 'http', path: '/other' }, at(port))).toEqual({ up: false, detail: 'HTTP 503 on /other' });
    expect(await probe({ type: 'http', path: '/' }, at(await closedPort()))).toEqual({ up: false, detail: 'connection refused (nothing listening)' });
  });

  it('http: a server that never answers is down after the timeout', async () => {
    const port = await serve(() => undefined);
    expect(await probe({ type: 'http', path: '/' }, { ...at(port), timeoutMs: 200 })).toEqual({ up: false, detail: 'no answer before the timeout' });
  });

  it('postgres: the real server on this machine answers; a closed port does not', async () => {
    const up = await probe({ type: 'postgres' }, { host: 'localhost', port: portFor('postgres', { env: {} }), timeoutMs: 2000 });
    expect(up.up, up.detail).toBe(true);
    expect(up.detail).toMatch(/PostgreSQL/);
    expect((await probe({ type: 'postgres' }, at(await closedPort()))).up).toBe(false);
  });

  it('redis: PING → PONG on the real server; a closed port is down', async () => {
    expect(await probe({ type: 'redis' }, { host: 'localhost', port: portFor('redis', { env: {} }), timeoutMs: 2000 })).toEqual({ up: true, detail: 'PING → PONG' });
    expect(await probe({ type: 'redis' }, at(await closedPort()))).toEqual({ up: false, detail: 'connection refused (nothing listening)' });
  });

  it('redis: a server that asks for a password (compose runs Redis with requirepass) answers, so it is up', async () => {
    const port = await closedPort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', 'probe-secret', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      let outcome = await probe({ type: 'redis' }, at(port));
      for (let i = 0; i < 50 && !outcome.up; i++, await new Promise((r) => setTimeout(r, 100))) outcome = await probe({ type: 'redis' }, at(port));
      expect(outcome).toEqual({ up: true, detail: 'answers (NOAUTH: a password is required)' });
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('solana: JSON-RPC getHealth (a stand-in validator: no Solana validator can run here)', async () => {
    let healthy = true;
    const port = await serve((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const { id, method } = JSON.parse(body);
        expect(method).toBe('getHealth');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(healthy ? { jsonrpc: '2.0', id, result: 'ok' } : { jsonrpc: '2.0', id, error: { code: -32005, message: 'Node is behind by 42 slots' } }));
      });
    });
    expect(await probe({ type: 'solana' }, at(port))).toEqual({ up: true, detail: 'getHealth → ok' });
    healthy = false;
    expect(await probe({ type: 'solana' }, at(port))).toEqual({ up: false, detail: 'getHealth → Node is behind by 42 slots' });
  });
});
