import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { createTestDatabase, freePort, testRedisPrefix, type TestDatabase } from '@hypernode/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import WebSocket from 'ws';
import { stopProcess } from '@hypernode/port-inspect';
import { createApiKey } from '@hypernode/store';
import { listServices, REGISTRY_RELATIVE_PATH, type ResolvedService } from '@hypernode/ports';
import { renderDeployArtifacts } from '../src/generators/deploy-artifacts/generator';
import { deployModel } from '../src/generators/deploy-artifacts/lib/model';

const ROOT = resolve(__dirname, '../../..');
/** Instance 96 keeps these apps clear of a stack a developer may be running. */
const INSTANCE = 96;
const APPS = [
  ['site', 'serve.ts'],
  ['api', 'src/main.ts'],
  ['realtime', 'src/main.ts'],
  ['automation', 'src/main.ts'],
] as const;

const children: ChildProcess[] = [];
let dir: string;
let proxy: string;
let services: ResolvedService[];
let db: TestDatabase;
/** A read key for the WebSocket through the proxy (realtime needs a credential). */
let readKey: string;
const keys = testRedisPrefix();

function startApp(name: string, entry: string): Promise<void> {
  // The api gets a throw-away database and Redis prefix, never the developer's.
  const env = { ...process.env, HYPERNODE_INSTANCE: String(INSTANCE), HYPERNODE_STACK: '', DATABASE_URL: db.url, HYPERNODE_REDIS_PREFIX: keys.prefix };
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: join(ROOT, 'apps', name), env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((ready, fail) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes(`${name} ready`) && ready());
    child.once('exit', (code) => fail(new Error(`${name} exited ${code}: ${err}`)));
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await fetch(url).then(() => true, () => false)) return;
    await sleep(100);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hypernode-nginx-'));
  db = await createTestDatabase();
  services = listServices({ instance: INSTANCE, env: {} });
  const listen = await freePort();
  proxy = `127.0.0.1:${listen}`;
  const tree = createTreeWithEmptyWorkspace();
  tree.write(REGISTRY_RELATIVE_PATH, readFileSync(join(ROOT, REGISTRY_RELATIVE_PATH), 'utf8'));
  renderDeployArtifacts(tree, deployModel(tree, { listenPort: listen, services }));
  writeFileSync(join(dir, 'hypernode.conf'), tree.read('deploy/nginx/hypernode.conf', 'utf8')!);
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/logs/error.log;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  include ${dir}/hypernode.conf;\n}\n`,
  );
  await Promise.all(APPS.map(([name, entry]) => startApp(name, entry)));
  const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  children.push(nginx);
  await waitFor(`http://${proxy}/api/health`);
  // The api has migrated the test database by now.
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    readKey = (await createApiKey(pool, { name: 'nginx-test', scopes: ['read'] })).key;
  } finally {
    await pool.end();
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(children.map((c) => (c.exitCode === null ? stopProcess(c.pid!, 3000) : undefined)));
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
  await keys.cleanup();
});

describe('generated nginx config, run by real nginx in front of the running apps', () => {
  it('routes / to the site, /api/ to the api and /automation/ to the automation engine', async () => {
    const page = await fetch(`http://${proxy}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(await (await fetch(`http://${proxy}/api/health`)).json()).toMatchObject({ status: 'ok', service: 'api' });
    expect(await (await fetch(`http://${proxy}/automation/health`)).json()).toMatchObject({ status: 'ok', service: 'automation' });
  });

  it('upgrades a WebSocket through /ws/ and delivers the server\'s frames', async () => {
    const socket = new WebSocket(`ws://${proxy}/ws/`, ['hypernode.v1', `hypernode.bearer.${readKey}`]);
    const frame = await new Promise<string>((ok, fail) => {
      socket.once('message', (d) => ok(d.toString()));
      socket.once('error', fail);
    });
    expect(JSON.parse(frame)).toMatchObject({ type: 'hello', instanceId: expect.any(String) });
    socket.close();
  });

  it('points every upstream at the resolved port of its service, and never exposes a GPU worker', () => {
    const conf = readFileSync(join(dir, 'hypernode.conf'), 'utf8');
    for (const s of services.filter((x) => ['site', 'api', 'realtime', 'automation', 'llm-deployer'].includes(x.name))) {
      expect(conf).toContain(`server 127.0.0.1:${s.port};`);
    }
    const worker = services.find((x) => x.name === 'gpu-worker')!;
    expect(conf).not.toContain(`:${worker.port};`);
    expect(conf).not.toContain('gpu-worker');
  });

  it("serves the backend routes on llm-deployer's own host too, so its browser calls stay same-origin", async () => {
    // fetch() may not set Host, so node:http does.
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((ok, fail) => {
        const [hostname, port] = proxy.split(':');
        request({ hostname, port: Number(port), path, headers: { host: 'llm-deployer.localhost' } }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => ok({ status: res.statusCode!, body }));
        })
          .on('error', fail)
          .end();
      });
    // This host's `/` is llm-deployer (not started here: 502), not the site: its own server block answers...
    expect((await get('/')).status).toBe(502);
    // ...and it routes /api/ to the api.
    const health = await get('/api/health');
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', service: 'api' });
  });
});
