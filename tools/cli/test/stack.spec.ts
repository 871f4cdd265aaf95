import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { findListeners, pidsWithEnv, stopProcess } from '@hypernode/port-inspect';
import { INSTANCE_STEP, isAppKind, isShiftedKind, listServices, serviceEntry } from '@hypernode/ports';
import { dropInstanceData } from '../src/stack/instance-data.js';
import { holdPort, hypernode, ROOT, run } from './helpers.js';

/** An instance number whose six app ports are all free, so the test never meets a running stack. */
function freeInstance(from: number): number {
  for (let n = from; n < 100; n++) {
    const ports = listServices({ instance: n, env: {} }).filter((s) => isAppKind(s.kind)).map((s) => s.port);
    if (findListeners(ports).size === 0) return n;
  }
  throw new Error('no free instance between 10 and 99');
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(200)) if (check()) return true;
  return check();
}

const leftovers: number[] = [];
// Each pinned instance gets its own database and Redis prefix (hypernode_<n>): dropped afterwards.
const usedInstances = new Set<number>();
afterAll(async () => {
  await Promise.all(leftovers.map((pid) => stopProcess(pid, 1000).catch(() => undefined)));
  for (const instance of usedInstances) await dropInstanceData(instance).catch(() => undefined);
}, 60_000);

describe('npm start (the whole stack)', () => {
  // The whole stack's checks (all six apps and both infra services healthy, loopback binds, the
  // sign-in links, the admin key) and Ctrl-C (SIGINT to npm start's whole process group) are the
  // supervisor spec's, on its `npm start`: a stack costs a minute here. SIGTERM to npm alone (a
  // service manager's stop) is this test's, with one app: the stop path does not depend on how many.
  it('SIGTERM to npm start alone (not its group) stops the stack it started: no process left, every port free', async () => {
    const instance = freeInstance(40);
    usedInstances.add(instance);
    const services = listServices({ instance, env: {} });
    const api = services.find((s) => s.name === 'api')!;
    const marker = String(instance);
    const npm = spawn('npm', ['start', '--', '--only', 'api'], { cwd: ROOT, env: { ...process.env, HYPERNODE_INSTANCE: marker }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((r) => npm.on('close', () => r()));

    let status = 0;
    for (const until = Date.now() + 240_000; Date.now() < until && status !== 200; await sleep(500)) {
      status = (await fetch(`http://localhost:${api.port}/health`, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined))?.status ?? 0;
    }
    expect(status, `api /health\n${output}`).toBe(200);
    expect(api.port).toBe(serviceEntry('api').port + instance * INSTANCE_STEP);
    const running = pidsWithEnv('HYPERNODE_INSTANCE', marker);
    leftovers.push(...running);
    expect(running.length).toBeGreaterThanOrEqual(4); // npm, the CLI, nx and the api at least

    process.kill(npm.pid!, 'SIGTERM');
    await exited;

    const allGone = await waitUntil(() => pidsWithEnv('HYPERNODE_INSTANCE', marker).length === 0, 30_000);
    expect(allGone, `still running: ${pidsWithEnv('HYPERNODE_INSTANCE', marker).join(', ')}\n${output}`).toBe(true);
    const shifted = services.filter((s) => isShiftedKind(s.kind)).map((s) => s.port);
    expect([...findListeners(shifted).keys()]).toEqual([]);
    expect(output).toContain('are free');
  }, 300_000);

  it('`nx run-many -t serve` alone is the stack: the infra task first, all six healthy, the worker registered with the join token from .hypernode/, a sign-in link; Ctrl-C stops it all', async () => {
    const instance = freeInstance(50);
    usedInstances.add(instance);
    const apps = listServices({ instance, env: {} }).filter((s) => isAppKind(s.kind));
    const marker = String(instance);
    const env = { ...process.env, HYPERNODE_INSTANCE: marker, NX_TUI: 'false', NX_DAEMON: 'false', HYPERNODE_JOIN_TOKEN: '', HYPERNODE_STACK: '' };
    const nx = spawn(join(ROOT, 'node_modules/.bin/nx'), ['run-many', '-t', 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    nx.stdout.on('data', (d: Buffer) => (output += d.toString()));
    nx.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => nx.on('close', (code) => r(code)));

    const health = await hypernode(['health', '--wait', '--timeout', '240', '--json', '--instance', marker]);
    const report = JSON.parse(health.stdout) as { healthy: boolean };
    expect(report.healthy, output).toBe(true);
    // Under CI=true Nx colours its output even into a pipe.
    expect(stripVTControlCharacters(output)).toContain('nx run cli:infra');
    const worker = apps.find((a) => a.name === 'gpu-worker')!;
    let ready = 0;
    for (const until = Date.now() + 30_000; Date.now() < until && ready !== 200; await sleep(500)) ready = (await fetch(`http://localhost:${worker.port}/ready`).catch(() => undefined))?.status ?? 0;
    expect(ready, `gpu-worker /ready\n${output}`).toBe(200);
    const site = apps.find((a) => a.name === 'site')!;
    expect(stripVTControlCharacters(output)).toMatch(new RegExp(`site: sign in with this one-time link .*http://localhost:${site.port}/#sign-in=hnt_`));
    leftovers.push(...pidsWithEnv('HYPERNODE_INSTANCE', marker));

    process.kill(-nx.pid!, 'SIGINT');
    expect(await exited).not.toBe(0); // interrupted (130), as Nx reports a stopped run
    const allGone = await waitUntil(() => pidsWithEnv('HYPERNODE_INSTANCE', marker).length === 0, 30_000);
    expect(allGone, `still running: ${pidsWithEnv('HYPERNODE_INSTANCE', marker).join(', ')}`).toBe(true);
    expect([...findListeners(apps.map((a) => a.port)).keys()]).toEqual([]);
  }, 300_000);

  it('refuses to start anything when an app port is taken, naming the holder and the fix', async () => {
    const instance = freeInstance(80);
    const api = listServices({ instance, env: {} }).find((s) => s.name === 'api')!;
    const holder = await holdPort('127.0.0.1', api.port);
    try {
      const result = await run('npm', ['start'], { env: { HYPERNODE_INSTANCE: String(instance) } });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`api cannot start: port ${api.port} is already in use by pid ${holder.pid}`);
      expect(result.stderr).toContain(`npx hypernode ports free ${api.port}`);
      expect(result.stdout).not.toContain('starting site');
      expect(pidsWithEnv('HYPERNODE_INSTANCE', String(instance))).toEqual([]);
    } finally {
      await holder.stop();
    }
  }, 120_000);
});
