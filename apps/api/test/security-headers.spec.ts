import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { API_HEADERS, HTML_HEADERS } from '../src/plugins/security.js';
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
  it("on HTML are helmet's defaults, CSP included", async () => {
    expect(HTML_HEADERS).toEqual(await helmetDefaults());
  });

  it("on every API answer — JSON, 401 and 404 — are OWASP's REST set (no framing, no sniffing, no caching, HTTPS only), without helmet's document-only headers", async () => {
    for (const url of ['/health', '/deployments', '/nope']) {
      const res = await app.inject({ url });
      expect(String(res.headers['content-type']), url).toMatch(/^application\/json/);
      for (const [name, value] of Object.entries(API_HEADERS)) expect(res.headers[name], `${url} ${name}`).toBe(value);
      for (const name of Object.keys(HTML_HEADERS).filter((n) => !(n in API_HEADERS))) expect(res.headers[name], `${url} ${name}`).toBeUndefined();
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['content-security-policy'], url).toBe("frame-ancestors 'none'");
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it("on an HTML answer are helmet's, over the API set (its CSP, SAMEORIGIN framing)", async () => {
    const html = await app.inject({ url: '/page' });
    for (const [name, value] of Object.entries(HTML_HEADERS)) expect(html.headers[name], name).toBe(value);
    expect(html.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});
