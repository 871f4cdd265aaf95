import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findListeners } from '@hypernode/port-inspect';
import { isAppKind, listServices, type ResolvedService } from '@hypernode/ports';
import { copyWorkspace, testRedisPrefix } from '@hypernode/testing';

// Nx 23.2.1 reports a continuous task that exits on its own as success; the serve executor and
// the plugin's postTasksExecution hook make such a run fail. These run the real Nx on real ports
// (an instance whose app ports are all free, so a running stack is never touched), without the
// infra task (`--exclude-task-dependencies`): what is under test is the exit, not the stack.
// They run in a copy of the workspace: Nx 23 shares a continuous task between the Nx processes
// of one workspace ("Waiting for api:serve in another nx process"), so a stack another test runs
// from this checkout at the same moment would serve in their place and the run would exit 0.
const ROOT = resolve(__dirname, '../../..');
const COPY = mkdtempSync(join(tmpdir(), 'hypernode-serve-exit-'));
beforeAll(() => copyWorkspace(ROOT, COPY), 120_000);

function freeInstance(from: number): number {
  for (let n = from; n < 100; n++) {
    const ports = listServices({ instance: n, env: {} }).filter((s) => isAppKind(s.kind)).map((s) => s.port);
    if (findListeners(ports).size === 0) return n;
  }
  throw new Error(`no instance from ${from} to 99 has all its app ports free`);
}

const held: Server[] = [];
// The apps' Redis keys (automation's queues) go under a throw-away prefix, not the instance's own.
const keys = testRedisPrefix();
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});
afterAll(async () => {
  await keys.cleanup();
  rmSync(COPY, { recursive: true, force: true });
});

async function hold(port: number): Promise<void> {
  // Whoever connects (a port probe) is dropped at once, so closing never waits on a socket.
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((r, reject) => server.once('error', reject).listen({ host: '127.0.0.1', port }, () => r()));
  held.push(server);
}

interface NxRun {
  output: () => string;
  exited: Promise<number | null>;
  pid: number;
}

function nx(args: string[], instance: number): NxRun {
  const child = spawn(resolve(COPY, 'node_modules/.bin/nx'), [...args, '--exclude-task-dependencies', '--outputStyle=stream'], {
    cwd: COPY,
    env: { ...process.env, HYPERNODE_INSTANCE: String(instance), HYPERNODE_REDIS_PREFIX: keys.prefix, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', HYPERNODE_STACK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { output: () => output, pid: child.pid!, exited: new Promise((r) => child.on('close', (code) => r(code))) };
}

function app(name: string, instance: number): ResolvedService {
  return listServices({ instance, env: {} }).find((s) => s.name === name)!;
}

describe('a serve that fails is a failed Nx command', () => {
  it('`nx run api:serve` with the api port held exits 1, naming the holder and the failed task', async () => {
    const instance = freeInstance(70);
    const api = app('api', instance);
    await hold(api.port);
    const run = nx(['run', 'api:serve'], instance);
    expect(await run.exited, run.output()).toBe(1);
    expect(run.output()).toContain(`api cannot start: port ${api.port} is already in use`);
    expect(run.output()).toContain('an app failed: api:serve exited with code 1');
  }, 120_000);

  it('`nx run-many -t serve` exits 1 when its apps fail to start, naming each', async () => {
    const instance = freeInstance(72);
    const [api, realtime] = [app('api', instance), app('realtime', instance)];
    await hold(api.port);
    await hold(realtime.port);
    const run = nx(['run-many', '-t', 'serve', '--projects', 'api,realtime'], instance);
    expect(await run.exited, run.output()).toBe(1);
    expect(run.output()).toMatch(/2 apps failed: (api|realtime):serve exited with code 1 .*; (api|realtime):serve exited with code 1/);
  }, 120_000);

  it('one app failing among running ones still fails the run when it is stopped, and a stop alone is no failure', async () => {
    const instance = freeInstance(74);
    const [api, automation] = [app('api', instance), app('automation', instance)];
    await hold(api.port);
    const run = nx(['run-many', '-t', 'serve', '--projects', 'api,automation'], instance);
    for (const until = Date.now() + 90_000; Date.now() < until && !findListeners([automation.port]).has(automation.port); ) await sleep(250);
    expect(findListeners([automation.port]).has(automation.port), run.output()).toBe(true);
    expect(run.output()).toContain('api:serve exited with code 1');
    process.kill(-run.pid, 'SIGTERM');
    expect(await run.exited, run.output()).not.toBe(0);
    expect(findListeners([automation.port]).size).toBe(0);
  }, 150_000);
});
