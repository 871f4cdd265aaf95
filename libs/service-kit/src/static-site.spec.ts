import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSiteServer, SiteBuildMissingError } from './static-site.js';

let root: string;
let app: FastifyInstance;
const INDEX = '<!doctype html><html><head><script src="/config.js"></script><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hn-site-server-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  app = await buildSiteServer({ service: 'site', root, config: { apiUrl: 'http://api.run.test:4002', wsUrl: 'ws://rt.run.test:4003' } });
});
afterAll(async () => {
  await app?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('site production server', () => {
  it('answers / with the static index.html (its health check), revalidated on every load', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers /config.js with the URLs it was started with, never cached', async () => {
    const res = await app.inject('/config.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/javascript');
    expect(res.headers['cache-control']).toBe('no-store');
    const window: Record<string, unknown> = {};
    runInNewContext(res.body, { window });
    expect(window.__HYPERNODE__).toEqual({ apiUrl: 'http://api.run.test:4002', wsUrl: 'ws://rt.run.test:4003' });
  });

  it('lets browsers keep hashed assets for good', async () => {
    const res = await app.inject('/assets/index-abc123.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('gives a browser navigating to an unknown path the app, and anything else a JSON 404', async () => {
    const page = await app.inject({ url: '/deployments/42', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(INDEX);
    const missing = await app.inject('/assets/gone.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('refuses to start without a build, saying how to make one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hn-site-empty-'));
    try {
      await expect(buildSiteServer({ service: 'site', root: empty, config: { apiUrl: 'http://a.test', wsUrl: 'ws://b.test' } })).rejects.toBeInstanceOf(SiteBuildMissingError);
      await expect(buildSiteServer({ service: 'site', root: empty, config: { apiUrl: 'http://a.test', wsUrl: 'ws://b.test' } })).rejects.toThrow(/index\.html does not exist\. Fix: build it with `npx nx run site:build`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
