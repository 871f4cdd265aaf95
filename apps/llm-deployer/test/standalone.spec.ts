import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The deployer's production path end to end: `nx run llm-deployer:build` → dist/apps/llm-deployer
// (Next standalone + main.js), copied OUTSIDE the workspace and started with `node main.js`; the
// backend URLs the pages carry follow the environment of each start, never the build.
const ROOT = resolve(__dirname, '../../..');
let dir: string;
const children: ChildProcess[] = [];

/** A port the OS says is free. (Not @hypernode/testing's: this file is type-checked by `next build` too, under Next's stricter ProcessEnv.) */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen({ host: '::', port: 0, ipv6Only: false }, r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** `node main.js` in the copied build with exactly `env` (plus PATH); resolves once `/` answers. */
async function start(port: number, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const childEnv = { PATH: process.env.PATH ?? '', LLM_DEPLOYER_PORT: String(port), ...env } as unknown as NodeJS.ProcessEnv;
  const child = spawn(process.execPath, ['main.js'], { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // An exit ends the wait at once (a refused start), whatever a request to the port is doing;
  // 'close' comes after the output is read to the end.
  const exited = new Promise<never>((_, reject) => child.once('close', (code) => reject(new Error(`main.js exited ${code}: ${out}`))));
  exited.catch(() => undefined);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await Promise.race([fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false), exited]);
    if (ok) return { url, child, output: () => out };
    if (Date.now() > deadline) throw new Error(`main.js did not answer / within 30 s: ${out}`);
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

beforeAll(() => {
  execFileSync('npx', ['nx', 'run', 'llm-deployer:build'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'pipe', timeout: 420_000 });
  dir = mkdtempSync(join(tmpdir(), 'hn-deployer-dist-'));
  cpSync(join(ROOT, 'dist/apps/llm-deployer'), dir, { recursive: true, verbatimSymlinks: true });
}, 480_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('llm-deployer production build', () => {
  it('is Next standalone with its static files and main.js; no dev tooling in its node_modules', () => {
    for (const file of ['main.js', 'apps/llm-deployer/server.js', 'apps/llm-deployer/.next/BUILD_ID', 'node_modules/next/package.json', 'node_modules/react/package.json']) expect(existsSync(join(dir, file)), file).toBe(true);
    // No backend URL is baked into the browser's or the server's code: both read the environment at run time.
    const built = readdirSync(join(dir, 'apps/llm-deployer/.next'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.js'));
    expect(built.length).toBeGreaterThan(10);
    for (const file of built) expect(readFileSync(join(file.parentPath, file.name), 'utf8'), file.name).not.toMatch(/(https?|wss?):\/\/localhost:\d+/);
    for (const tool of ['typescript', 'tsx', 'vite', 'webpack', 'esbuild', 'vitest', 'nx']) expect(existsSync(join(dir, 'node_modules', tool)), tool).toBe(false);
    // Its manifest names nothing to install (Next's standalone copy would be the workspace's, devDependencies and all).
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ type: 'module', main: 'main.js' });
    expect(manifest.dependencies ?? manifest.devDependencies).toBeUndefined();
  });

  it('renders / with the backend URLs of the environment it was STARTED with, and stops with 0 on SIGTERM', async () => {
    const first = await start(await freePort(), { NEXT_PUBLIC_API_URL: 'http://first.example:1111', NEXT_PUBLIC_WS_URL: 'ws://first.example:2222' });
    const page = await (await fetch(`${first.url}/`)).text();
    expect(page).toContain('first.example:1111');
    expect(page).toContain('ws://first.example:2222');
    // The static files Next's standalone output leaves out were copied in.
    const chunk = /\/_next\/static\/[^"]+\.js/.exec(page)?.[0];
    expect(chunk).toBeDefined();
    expect((await fetch(`${first.url}${chunk}`)).status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    const second = await start(await freePort(), { NEXT_PUBLIC_API_URL: 'https://api.second.example' });
    const again = await (await fetch(`${second.url}/`)).text();
    expect(again).toContain('https://api.second.example');
    expect(again).not.toContain('first.example');
    expect(await stop(second.child)).toBe(0);
  }, 120_000);

  it('refuses a taken port at once, naming the holder and the fix', async () => {
    const port = await freePort();
    const holder: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    try {
      await expect(start(port, {})).rejects.toThrow(new RegExp(`exited 1: llm-deployer cannot start: port ${port} is already in use by pid ${process.pid} .*LLM_DEPLOYER_PORT=<free port>`));
    } finally {
      await new Promise((r) => holder.close(r));
    }
  }, 30_000);

  it('asks the api nothing for a browser without a session (its sign-in page; a health probe of / is not a 401 in the api log)', async () => {
    const asked: string[] = [];
    const api = createHttpServer((request, response) => {
      asked.push(`${request.url} ${request.headers.cookie ?? '(no cookie)'}`);
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"statusCode":401}');
    });
    const apiPort = await freePort();
    await new Promise<void>((r) => api.listen(apiPort, '127.0.0.1', r));
    try {
      const app = await start(await freePort(), { API_URL: `http://127.0.0.1:${apiPort}` });
      asked.length = 0; // start() polled / while it came up
      expect((await fetch(`${app.url}/`)).status).toBe(200);
      expect((await fetch(`${app.url}/deployments/7f1d7c3e-4a8a-4c68-9a43-0b0d3f3b2d11`)).status).toBe(200);
      expect(asked).toEqual([]);
      // With a session cookie the page asks, forwarding only that cookie.
      await fetch(`${app.url}/`, { headers: { cookie: 'hn_session=abc; other=x' } });
      expect(asked).toEqual(['/deployments?limit=50 hn_session=abc']);
      expect(await stop(app.child)).toBe(0);
    } finally {
      await new Promise((r) => api.close(r));
    }
  }, 60_000);
});
