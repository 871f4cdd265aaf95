import { createServer, request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenHttp } from './listen-http.js';

const hasV6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === '::1'));

function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    socket.on('connect', () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(true));
    socket.on('timeout', () => (socket.destroy(), resolve(true)));
  });
}

describe('listenHttp', () => {
  it('binds both loopback addresses for localhost, serves requests and upgrades on each, and closes idempotently', async () => {
    const server = createServer((_req, res) => res.end('hello'));
    const upgrades: string[] = [];
    server.on('upgrade', (req, socket) => {
      upgrades.push(req.socket.remoteAddress ?? '?');
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    });
    const listening = await listenHttp(server, 0, 'localhost');
    const port = (server.address() as { port: number }).port;
    expect(listening.hosts).toEqual(hasV6Loopback ? ['127.0.0.1', '::1'] : ['127.0.0.1']);
    expect(await get('127.0.0.1', port)).toBe('hello');
    if (hasV6Loopback) {
      expect(await get('::1', port)).toBe('hello');
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '::1', port, headers: { connection: 'Upgrade', upgrade: 'test' } });
        req.on('upgrade', (_res, socket) => (socket.destroy(), resolve()));
        req.on('error', reject);
        req.end();
      });
      expect(upgrades).toEqual(['::1']);
    }
    await Promise.all([listening.close(), listening.close()]);
    await listening.close();
    expect(await refused('127.0.0.1', port)).toBe(true);
    if (hasV6Loopback) expect(await refused('::1', port)).toBe(true);
  });

  it('does not bind a non-loopback address for localhost', async () => {
    const server = createServer((_req, res) => res.end('x'));
    const listening = await listenHttp(server, 0, 'localhost');
    try {
      const port = (server.address() as { port: number }).port;
      const external = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && !a.internal && a.family === 'IPv4');
      if (external) expect(await refused(external.address, port)).toBe(true);
    } finally {
      await listening.close();
    }
  });

  it('rejects a taken port with EADDRINUSE and leaves nothing listening', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '::1', r).once('error', () => holder.listen(0, '127.0.0.1', r)));
    const port = (holder.address() as { port: number }).port;
    const server = createServer();
    try {
      await expect(listenHttp(server, port, 'localhost')).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(server.listening).toBe(false);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
