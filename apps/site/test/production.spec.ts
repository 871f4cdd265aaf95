import { isBuiltin } from 'node:module';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portFor } from '@hypernode/ports';
import { freePort } from '@hypernode/testing';

// The site's production path end to end: `nx run site:build` → dist/apps/site, copied OUTSIDE
// the workspace and started with `node main.js` under different environments; the backend URLs
// the browser gets follow the environment of each start, never the build.
const ROOT = resolve(__dirname, '../../..');
let dir: string;
const children: ChildProcess[] = [];

function digest(folder: string): string {
  const hash = createHash('sha256');
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).sort((a, b) => join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)))) {
    hash.update(join(entry.parentPath, entry.name)).update(readFileSync(join(entry.parentPath, entry.name)));
  }
  return hash.digest('hex');
}

/** `node main.js` in the copied build with exactly `env` (plus PATH); resolves once `/` answers. */
async function start(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['main.js'], { cwd: dir, env: { PATH: process.env.PATH ?? '', SITE_PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // An exit ends the wait at once (a refused start), whatever a request to the port is doing;
  // 'close' comes after the output is read to the end.
  const exited = new Promise<never>((_, reject) => child.once('close', (code) => reject(new Error(`main.js exited ${code}: ${out}`))));
  exited.catch(() => undefined);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await Promise.race([fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false), exited]);
    if (ok) return { url, child, output: () => out };
    if (Date.now() > deadline) throw new Error(`main.js did not answer / within 15 s: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

async function configOf(url: string): Promise<{ apiUrl: string; wsUrl: string }> {
  const body = await (await fetch(`${url}/config.js`, { signal: AbortSignal.timeout(5_000) })).text();
  const json = /Object\.freeze\((\{.*\})\)/.exec(body)?.[1];
  if (!json) throw new Error(`/config.js does not set the config: ${body}`);
  return JSON.parse(json) as { apiUrl: string; wsUrl: string };
}

beforeAll(() => {
  execFileSync('npx', ['nx', 'run', 'site:build'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' }, stdio: 'pipe', timeout: 240_000 });
  dir = mkdtempSync(join(tmpdir(), 'hn-site-dist-'));
  cpSync(join(ROOT, 'dist/apps/site'), dir, { recursive: true });
}, 300_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('site production build', () => {
  it('is static files plus a self-contained server: main.js imports nothing but Node built-ins, the manifest lists no package', () => {
    const main = readFileSync(join(dir, 'main.js'), 'utf8');
    const imports = [...main.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    // Built-ins, with or without the `node:` prefix (bundled dependencies import `zlib`, `fs`, …).
    expect(imports.filter((m) => !isBuiltin(m))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {}).toEqual({});
    const html = readFileSync(join(dir, 'public/index.html'), 'utf8');
    expect(html).toContain('<script src="/config.js"></script>');
    expect(html).not.toMatch(/localhost:\d+/);
  });

  it('serves / and hands the browser the backend URLs of the environment it was STARTED with, the same build each time', async () => {
    const before = digest(dir);
    const first = await start({ VITE_BACKEND_API_URL: 'http://first.example:1111', VITE_BACKEND_WS_URL: 'ws://first.example:2222' });
    const page = await fetch(`${first.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(await configOf(first.url)).toMatchObject({ apiUrl: 'http://first.example:1111', wsUrl: 'ws://first.example:2222' });
    expect(first.output()).toMatch(/site ready on http:\/\/localhost:\d+ \(loopback only/);
    expect(await stop(first.child)).toBe(0);

    const second = await start({ VITE_BACKEND_API_URL: 'https://api.second.example' });
    expect((await configOf(second.url)).apiUrl).toBe('https://api.second.example');
    expect(await stop(second.child)).toBe(0);

    // No variable: the registry's URLs for the instance it runs as.
    const env = { HYPERNODE_INSTANCE: '3' };
    const third = await start(env);
    // …and the instance, for the dashboard's header.
    expect(await configOf(third.url)).toMatchObject({ apiUrl: `http://localhost:${portFor('api', { env })}`, wsUrl: `ws://localhost:${portFor('realtime', { env })}`, instance: 3 });
    expect(await stop(third.child)).toBe(0);
    expect(digest(dir)).toBe(before);
  }, 60_000);

  it('refuses a bad backend URL at start, naming the variable', async () => {
    await expect(start({ VITE_BACKEND_API_URL: 'api:3002' })).rejects.toThrow(/exited 1: VITE_BACKEND_API_URL="api:3002" is not valid/);
  }, 30_000);
});
