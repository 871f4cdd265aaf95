import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { HTML_CSP, SECURITY_HEADERS } from '../src/plugins/security.js';
import { startTestApi, type TestApi } from './harness.js';

let api: TestApi;
let app: FastifyInstance;
beforeAll(async () => {
  api = await startTestApi();
  app = buildApp({ config: api.config, pool: api.pool, redis: api.redis });
  // An HTML answer, as a docs page would be: the only kind that carries the CSP.
  app.get('/page', { config: { auth: 'public' } }, async (_request, reply) => reply.type('text/html').send('<p>hi</p>'));
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await api.close();
});

/** What @fastify/helmet (the plugin the static table replaced) sets with its defaults: the table must not drift from it. */
async function helmetDefaults(): Promise<Record<string, string>> {
  const bare = Fastify();
  await bare.register(helmet);
  bare.get('/', async () => 'ok');
  const res = await bare.inject({ url: '/' });
  await bare.close();
  const plain = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
  // Fastify's own headers are not helmet's.
  for (const own of ['content-type', 'content-length', 'date', 'connection', 'keep-alive']) delete plain[own];
  return plain;
}

describe('security headers', () => {
  it("are helmet's defaults, the CSP aside", async () => {
    const { 'content-security-policy': csp, ...rest } = await helmetDefaults();
    expect(SECURITY_HEADERS).toEqual(rest);
    expect(HTML_CSP).toBe(csp);
  });

  it('are on every answer — JSON, 401 and 404 — without a CSP; HTML gets the CSP too', async () => {
    for (const url of ['/health', '/deployments', '/nope']) {
      const res = await app.inject({ url });
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers['content-security-policy'], url).toBeUndefined();
    }
    const html = await app.inject({ url: '/page' });
    expect(html.headers['content-security-policy']).toBe(HTML_CSP);
    expect(html.headers['x-content-type-options']).toBe('nosniff');
  });
});
