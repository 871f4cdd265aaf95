import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { logOneLinePerRequest } from './request-log.js';

it('logs one line per request, none for the health probes', async () => {
  const lines: Array<{ msg: string }> = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  const app = Fastify({ logger: { level: 'info', stream }, disableRequestLogging: true });
  logOneLinePerRequest(app);
  for (const url of ['/health', '/ready', '/work']) app.get(url, async () => ({ ok: true }));
  await app.ready();
  for (const url of ['/health', '/ready?verbose=1', '/work', '/work?x=1']) await app.inject({ url });
  await app.close();
  expect(lines.map((l) => l.msg)).toEqual(['GET /work 200', 'GET /work?x=1 200']);
});
