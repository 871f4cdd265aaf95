import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { lazyChildLogger, logOneLinePerRequest, quietRequestLogging } from './request-log.js';

it('logs one line per request, none for the health probes', async () => {
  const lines: Array<{ msg: string }> = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  const app = Fastify({ logger: { level: 'info', stream }, logController: quietRequestLogging(), childLoggerFactory: lazyChildLogger });
  logOneLinePerRequest(app);
  for (const url of ['/health', '/ready', '/work']) app.get(url, async () => ({ ok: true }));
  await app.ready();
  for (const url of ['/health', '/ready?verbose=1', '/work', '/work?x=1', '/healthz', '/missing?from=/health']) await app.inject({ url });
  await app.close();
  expect(lines.map((l) => l.msg)).toEqual(['GET /work 200', 'GET /work?x=1 200', 'GET /healthz 404', 'GET /missing?from=/health 404']);
});

it("keeps each request's id on its request line and on what a handler logs through request.log, child loggers included", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), done()) });
  const app = Fastify({ logger: { level: 'info', stream }, logController: quietRequestLogging(), childLoggerFactory: lazyChildLogger });
  logOneLinePerRequest(app);
  app.get('/work', async (request) => {
    request.log.warn({ step: 1 }, 'handler line');
    request.log.child({ part: 'db' }).info('child line');
    request.log.debug('below the level: dropped');
    return { level: request.log.level };
  });
  await app.ready();
  const first = await app.inject({ url: '/work' });
  await app.inject({ url: '/work' });
  await app.close();
  expect(first.json()).toEqual({ level: 'info' });
  const byMsg = (msg: string) => lines.filter((l) => l.msg === msg).map((l) => l.reqId);
  expect(byMsg('handler line')).toEqual(byMsg('GET /work 200'));
  expect(byMsg('child line')).toEqual(byMsg('GET /work 200'));
  expect(new Set(byMsg('GET /work 200')).size).toBe(2); // two requests, two ids, none missing
  expect(byMsg('GET /work 200').every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
  expect(lines.find((l) => l.msg === 'handler line')).toMatchObject({ level: 40, step: 1 });
  expect(lines.find((l) => l.msg === 'child line')).toMatchObject({ part: 'db' });
  expect(lines.some((l) => l.msg === 'below the level: dropped')).toBe(false);
});
