import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createServer, preview, type InlineConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@hypernode/testing';
import { PortInUseError } from './errors.js';
import { registryVitePlugin } from './vite-plugin.js';

const hasV6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === '::1'));
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hn-vite-plugin-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><head><title>t</title></head><body><script type="module" src="/main.js"></script></body></html>');
  writeFileSync(join(root, 'main.js'), 'document.title = String(window.__HYPERNODE__?.apiUrl);\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A Vite config for the temp app, with nothing but the plugin and the environment given. */
function viteConfig(env: NodeJS.ProcessEnv): InlineConfig {
  return { root, configFile: false, logLevel: 'silent', clearScreen: false, plugins: [registryVitePlugin({ service: 'site', env })], build: { outDir: join(root, 'dist'), emptyOutDir: true } };
}

async function text(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('registryVitePlugin', () => {
  it('puts the dev server on the registry port (SITE_PORT here), strictly, on both loopbacks, with /config.js from the environment', async () => {
    const port = await freePort();
    const server = await createServer(viteConfig({ SITE_PORT: String(port), VITE_BACKEND_API_URL: 'http://api.dev.test:1234' }));
    try {
      expect(server.config.server).toMatchObject({ port, strictPort: true, host: '127.0.0.1' });
      await server.listen();
      const config = await text(`http://127.0.0.1:${port}/config.js`);
      expect(config).toMatchObject({ status: 200, type: expect.stringContaining('javascript') });
      expect(config.body).toContain('"apiUrl":"http://api.dev.test:1234"');
      const html = await text(`http://127.0.0.1:${port}/`);
      expect(html.body).toMatch(/<script src="\/config.js"><\/script>[\s\S]*<script type="module" src="\/main.js">/);
      if (hasV6Loopback) {
        await new Promise((r) => setTimeout(r, 100)); // the ::1 mirror binds right after 'listening'
        expect((await text(`http://[::1]:${port}/config.js`)).body).toContain('api.dev.test');
      }
    } finally {
      await server.close();
    }
  });

  it('refuses a taken port before binding, naming the holder and the fix', async () => {
    const port = await freePort();
    const holder: Server = createNetServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    try {
      const attempt = createServer(viteConfig({ SITE_PORT: String(port) }));
      await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
      await expect(createServer(viteConfig({ SITE_PORT: String(port) }))).rejects.toThrow(new RegExp(`port ${port} is already in use by pid ${process.pid} .*SITE_PORT=<free port>`));
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('stops on a bad backend URL with the variable named, before serving anything', async () => {
    const port = await freePort();
    await expect(createServer(viteConfig({ SITE_PORT: String(port), VITE_BACKEND_WS_URL: 'localhost:3003' }))).rejects.toThrow(/VITE_BACKEND_WS_URL="localhost:3003" is not valid/);
  });

  it('builds the same output whatever the environment (no URL baked in), and preview serves it with the URLs of ITS environment', async () => {
    await build(viteConfig({ VITE_BACKEND_API_URL: 'http://baked.test:1' }));
    const files = readdirSync(join(root, 'dist'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    const output = files.map((f) => readFileSync(join(f.parentPath, f.name), 'utf8')).join('\n');
    expect(output).toContain('<script src="/config.js"></script>');
    expect(output).not.toContain('baked.test');
    const port = await freePort();
    const server = await preview(viteConfig({ SITE_PORT: String(port), VITE_BACKEND_API_URL: 'http://preview.test:2' }));
    try {
      expect(server.config.preview).toMatchObject({ port, strictPort: true });
      expect((await text(`http://127.0.0.1:${port}/config.js`)).body).toContain('"apiUrl":"http://preview.test:2"');
      expect((await text(`http://127.0.0.1:${port}/`)).body).toContain('<script src="/config.js"></script>');
    } finally {
      await server.close();
    }
  });
});
