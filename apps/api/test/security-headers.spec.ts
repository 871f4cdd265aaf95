import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
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

/** What helmet's own middleware sets with its defaults (the table must not drift from it). */
function helmetDefaults(): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = { setHeader: (k: string, v: string) => (headers[k.toLowerCase()] = v), removeHeader: () => undefined } as unknown as ServerResponse;
  return new Promise((resolve) => helmet()({} as IncomingMessage, res, () => resolve(headers)));
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
