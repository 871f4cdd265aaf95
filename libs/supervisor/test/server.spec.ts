import pg from 'pg';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine, LogStreamFrame } from '@hypernode/events';
import { createApiKey, migrate } from '@hypernode/store';
import { createTestDatabase, type TestDatabase } from '@hypernode/testing';
import { createSupervisorServer } from '../src/server.js';
import { Supervisor } from '../src/supervisor.js';
import { fixtureSpec, freePort, portHolder, until } from './helpers.js';

const FRONTEND = 'http://localhost:3900';
const message = async (res: Response): Promise<string> => ((await res.json()) as { message: string }).message;

describe('supervisor HTTP API (real PostgreSQL, real fixture processes, real sockets)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let supervisor: Supervisor;
  let app: FastifyInstance;
  let base: string;
  let admin: string;
  let reader: string;
  let port: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 2, connectionTimeoutMillis: 2_000, statement_timeout: 2_000 });
    admin = (await createApiKey(pool, { name: 'sup-admin', scopes: ['read', 'deploy', 'admin'] })).key;
    reader = (await createApiKey(pool, { name: 'sup-reader', scopes: ['read'] })).key;
    port = await freePort();
    supervisor = new Supervisor({ services: [fixtureSpec('alpha', port)], probeMs: 200, stopGraceMs: 3_000, portHolder });
    await supervisor.startAll();
    app = await createSupervisorServer({ supervisor, pool, origins: [FRONTEND], instance: 41, checkout: '/tmp/x' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await supervisor?.stopAll();
    await pool?.end();
    await db?.drop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('answers /health without a credential and 401 elsewhere, naming how to sign in', async () => {
    expect((await get('/health')).status).toBe(200);
    const res = await get('/services');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/no credential: send Authorization: Bearer hn_… .*or sign in/) });
    expect((await get('/services', bearer('hn_nope'))).status).toBe(401);
  });

  it('lists the services to a read key; refuses a read key an action (403) and lets admin act', async () => {
    const res = await get('/services', bearer(reader));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ instance: 41, services: [{ name: 'alpha', kind: 'http' }] });
    const refused = await fetch(`${base}/services/alpha/restart`, { method: 'POST', headers: bearer(reader) });
    expect(refused.status).toBe(403);
    expect((await message(refused))).toMatch(/needs the "admin" scope; the key "sup-reader" has read/);
    const unknown = await fetch(`${base}/services/nope/restart`, { method: 'POST', headers: bearer(admin) });
    expect(unknown.status).toBe(404);
    expect((await message(unknown))).toMatch(/no supervised service "nope": use one of alpha/);
  });

  it('allows the frontends with credentials (CORS) and refuses a foreign origin', async () => {
    const ok = await get('/services', { ...bearer(reader), origin: FRONTEND });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const foreign = await get('/services', { ...bearer(reader), origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect((await message(foreign))).toMatch(/origin "http:\/\/evil.example" may not call the supervisor/);
    const preflight = await fetch(`${base}/services/alpha/restart`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
  });

  it('pages and searches logs; refuses a bad regex and a bad limit with 400 naming them', async () => {
    await until('alpha ready', 10_000, () => supervisor.service('alpha').state === 'ready');
    const page = (await (await get(`/logs?services=alpha&q=${encodeURIComponent('/listening on \\d+/')}`, bearer(reader))).json()) as { lines: LogLine[] };
    expect(page.lines.map((l) => l.message)).toEqual([`alpha listening on ${port}`]);
    const bad = await get(`/logs?q=${encodeURIComponent('/(unclosed/')}`, bearer(reader));
    expect(bad.status).toBe(400);
    expect((await message(bad))).toMatch(/is not a valid regex/);
    const badLimit = await get('/logs?limit=9999', bearer(reader));
    expect(badLimit.status).toBe(400);
    expect((await message(badLimit))).toMatch(/limit="9999" is not a whole number 1–5000/);
    const download = await get('/logs/download?services=alpha&level=error', bearer(reader));
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="hypernode-logs-.*\.ndjson"$/);
    const lines = (await download.text()).trim().split('\n').map((l) => JSON.parse(l) as LogLine);
    expect(lines.every((l) => l.level === 'error' || l.level === 'fatal')).toBe(true);
  });

  it('streams new lines over WebSocket to a bearer client; refuses a foreign Origin and a missing credential', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/logs/stream`, { headers: { ...bearer(reader), origin: 'http://evil.example' } });
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(403);
    const anonymous = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/logs/stream`);
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      ws.on('open', () => resolve(101));
    });
    expect(anonymous).toBe(401);

    const ws = new WebSocket(`${base.replace('http', 'ws')}/logs/stream?services=alpha`, { headers: { ...bearer(reader), origin: FRONTEND } });
    const frames: LogStreamFrame[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as LogStreamFrame));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await fetch(`http://127.0.0.1:${port}/print?n=3`).then((r) => r.text());
    const lines = await until('3 streamed lines', 5_000, () => {
      const got = frames.flatMap((f) => (f.type === 'lines' ? f.lines : [])).filter((l) => /alpha burst/.test(l.message));
      return got.length >= 3 ? got : undefined;
    });
    expect(lines.map((l) => l.message)).toEqual(['alpha burst 0', 'alpha burst 1', 'alpha burst 2']);
    // Restart by the admin: the stream carries the state changes.
    const restart = await fetch(`${base}/services/alpha/restart`, { method: 'POST', headers: bearer(admin) });
    expect(restart.status).toBe(202);
    expect(await restart.json()).toMatchObject({ name: 'alpha', state: 'starting', restarts: 1 });
    await until('ready state frame', 10_000, () => frames.some((f) => f.type === 'state' && f.service.state === 'ready' && f.service.restarts === 1));
    ws.close();
  });
});
