import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findListeners, stopProcess } from '@hypernode/port-inspect';
import { INSTANCE_STEP, instanceDatabaseName, instanceRedisPrefix, parseRegistry, portFor, REGISTRY_RELATIVE_PATH, urlFor } from '@hypernode/ports';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from '@hypernode/testing';
import { copyWorkspace } from './workspace-copy';

let copy: string;

const nx = (args: string[]) => execFileSync(join(copy, 'node_modules/.bin/nx'), args, { cwd: copy, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' } });
const registry = () => parseRegistry(readFileSync(join(copy, REGISTRY_RELATIVE_PATH), 'utf8'), REGISTRY_RELATIVE_PATH).services;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'hypernode-ws-'));
  copyWorkspace(copy);
});
afterAll(async () => {
  rmSync(copy, { recursive: true, force: true });
  // `nx run billing:serve` pinned instance 97: its infra task made that instance's database and keys.
  const admin = new pg.Client({ host: 'localhost', port: portFor('postgres', { env: {} }), user: process.env.PGUSER ?? 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`drop database if exists ${admin.escapeIdentifier(instanceDatabaseName(97))} with (force)`).finally(() => admin.end());
  const redis = new Redis(urlFor('redis', { env: {} }));
  const keys = await redis.keys(`${instanceRedisPrefix(97)}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
});

describe('nx g service, for real, in a copy of the workspace', () => {
  it('billing (http) claims the next free port, is served on it, and answers /health', async () => {
    const before = registry();
    nx(['g', '@hypernode/workspace-plugin:service', 'billing', '--kind=http', '--skipInstall']);
    const billing = registry().find((s) => s.name === 'billing')!;
    const firstHttp = Math.min(...before.filter((s) => s.kind === 'http').map((s) => s.port));
    let expected = firstHttp;
    while (before.some((s) => s.port === expected)) expected++;
    expect(billing.port).toBe(expected);

    const map = JSON.parse(execFileSync(process.execPath, [join(copy, 'tools/cli/bin/hypernode.js'), 'ports', '--json'], { cwd: copy, encoding: 'utf8' })) as { services: Array<{ name: string; port: number }> };
    expect(map.services.find((s) => s.name === 'billing')!.port).toBe(billing.port);

    const shown = JSON.parse(nx(['show', 'project', 'billing', '--json'])) as { targets: Record<string, { metadata?: { description?: string } }> };
    expect(shown.targets.serve!.metadata!.description).toContain(`port ${billing.port}`);

    // Instance 97 keeps the test clear of a stack a developer may be running.
    const instance = 97;
    const port = billing.port + instance * INSTANCE_STEP;
    const serve = spawn(join(copy, 'node_modules/.bin/nx'), ['run', 'billing:serve', '--outputStyle=stream'], {
      cwd: copy,
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', HYPERNODE_INSTANCE: String(instance) },
      stdio: 'ignore',
      detached: true,
    });
    try {
      let body: unknown;
      // `serve` runs the infra task first (the instance's database, migrations): on a loaded machine that alone can take a minute.
      for (const until = Date.now() + 120_000; body === undefined && Date.now() < until; ) {
        body = await fetch(`http://localhost:${port}/health`, { signal: AbortSignal.timeout(3_000) }).then((r) => r.json(), () => undefined);
        if (body === undefined) await sleep(200);
      }
      expect(body).toMatchObject({ status: 'ok', service: 'billing' });
    } finally {
      process.kill(-serve.pid!, 'SIGTERM');
      await stopProcess(serve.pid!, 5000);
    }
    for (let i = 0; i < 50 && findListeners([port]).size > 0; i++) await sleep(100);
    expect(findListeners([port]).size).toBe(0);
  }, 240_000);

  it('a worker claims the port after gpu-worker (8081)', () => {
    nx(['g', '@hypernode/workspace-plugin:service', 'gpu-worker-2', '--kind=worker', '--skipInstall']);
    const services = registry();
    expect(services.find((s) => s.name === 'gpu-worker-2')!.port).toBe(services.find((s) => s.name === 'gpu-worker')!.port + 1);
  }, 60_000);

  it('a generated frontend and http service build like the real ones: the frontend dist serves its page and /config.js from the environment, the service bundle is main.js', async () => {
    nx(['g', '@hypernode/workspace-plugin:service', 'admin', '--kind=frontend', '--skipInstall']);
    nx(['run-many', '-t', 'build', '--projects', 'admin,billing', '--outputStyle=static']);
    expect(existsSync(join(copy, 'dist/apps/billing/main.js'))).toBe(true);
    const dist = join(copy, 'dist/apps/admin');
    expect(existsSync(join(dist, 'public/index.html'))).toBe(true);
    const port = await freePort();
    const app = spawn(process.execPath, ['main.js'], { cwd: dist, env: { ...process.env, ADMIN_PORT: String(port), VITE_BACKEND_API_URL: 'http://api.admin.test', HYPERNODE_STACK: '' }, stdio: 'ignore' });
    try {
      let page: Response | undefined;
      for (let i = 0; i < 100 && page?.status !== 200; i++) {
        page = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
        if (page?.status !== 200) await sleep(100);
      }
      expect(page?.status).toBe(200);
      expect(await page!.text()).toContain('/config.js');
      expect(await (await fetch(`http://127.0.0.1:${port}/config.js`)).text()).toContain('http://api.admin.test');
    } finally {
      app.kill('SIGTERM');
    }
  }, 240_000);
});
