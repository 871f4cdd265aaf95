import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { SupervisorServices } from '@hypernode/events';
import { listLeases, writeLeases, type Lease } from '@hypernode/instances';
import { isAlive, pidsWithEnv, stopProcess, WORKSPACE_MARKER } from '@hypernode/port-inspect';
import { listServices } from '@hypernode/ports';
import { copyWorkspace } from '@hypernode/testing';
import { dropInstanceData } from '../src/stack/instance-data.js';
import { ROOT, run } from './helpers.js';

// Slots 0–9 are held by this test's own placeholder leases: the copies never take the ports of a
// stack a developer (or another test) may run on the low instances.
const RESERVED = 10;
const home = mkdtempSync(join(tmpdir(), 'hn-instances-home-'));
const copies = [mkdtempSync(join(tmpdir(), 'hn-copy-a-')), mkdtempSync(join(tmpdir(), 'hn-copy-b-'))];
const usedSlots = new Set<number>();
const stacks: ChildProcess[] = [];

/** The environment of a fresh terminal in a copy: no pin, no stack of ours leaking in, leases in the temp home. */
function copyEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HYPERNODE_HOME: home, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
  for (const name of ['HYPERNODE_INSTANCE', 'HYPERNODE_STACK', WORKSPACE_MARKER, 'DATABASE_URL', 'HYPERNODE_REDIS_PREFIX', 'HYPERNODE_JOIN_TOKEN']) delete env[name];
  return env;
}

function start(dir: string): { child: ChildProcess; output: () => string } {
  // The api alone (with the infra task): all this spec needs, and two whole stacks at once would take minutes at CI's load.
  const child = spawn('npm', ['start', '--', '--only', 'api'], { cwd: dir, env: copyEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  stacks.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => stripVTControlCharacters(out) };
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms: number, output: () => string = () => ''): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(250)) {
    const value = probe();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}\n${output()}`);
}

/** The copy's own CLI, run in the copy with the copy's environment. */
const copyCli = (dir: string, args: string[]) => run(process.execPath, [join(dir, 'tools/cli/bin/hypernode.js'), ...args], { cwd: dir, env: copyEnv() });

const liveLeaseOf = (dir: string): Lease | undefined => listLeases(join(home, 'instances.json')).find((l) => l.live && l.path === dir);

async function apiCall(dir: string, slot: number, method: string, path: string, body?: object) {
  const api = listServices({ instance: slot, env: {} }).find((s) => s.name === 'api')!;
  const key = readFileSync(join(dir, '.hypernode', 'admin-key'), 'utf8').trim();
  const res = await fetch(`${api.publicUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body && JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * Stops a copy's `npm start` as Ctrl-C does: SIGTERM to its process group, so `hypernode up` gets it
 * itself (npm exits at once on SIGTERM without passing it on). Waits for the lease's owner to
 * finish its stop (which releases the lease) before sweeping whatever of the copy is left: a sweep
 * with a short grace during that stop would SIGKILL it and leave the lease stale.
 */
async function stopCopy(dir: string, child?: ChildProcess, owner?: number): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone (its parent was killed) */
    }
  }
  if (owner !== undefined) await waitFor(`hypernode up (pid ${owner}) to finish its stop`, () => (isAlive(owner) ? undefined : true), 60_000).catch(() => undefined);
  // Whatever of the copy is still running (after a SIGKILL nothing stopped its apps).
  await Promise.all(pidsWithEnv(WORKSPACE_MARKER, dir).map((pid) => stopProcess(pid, 3000).catch(() => undefined)));
}

afterAll(async () => {
  for (const [i, dir] of copies.entries()) await stopCopy(dir, stacks.at(i === 1 ? -1 : 0));
  await Promise.all(stacks.map((s) => (s.pid ? stopProcess(s.pid, 2000).catch(() => undefined) : undefined)));
  for (const slot of usedSlots) await dropInstanceData(slot).catch(() => undefined);
  for (const dir of [...copies, home]) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('side-by-side checkouts', () => {
  it('two copies started together lease different slots with their own data; SIGKILL leaves a stale lease the next start reclaims', { timeout: 900_000 }, async () => {
    const placeholders = Array.from({ length: RESERVED }, (_, slot) => ({ slot, path: `/reserved-by-test/${slot}`, pid: process.pid, started: new Date().toISOString() }));
    writeLeases(join(home, 'instances.json'), { leases: placeholders, lastSlot: {} });
    for (const dir of copies) copyWorkspace(ROOT, dir);

    const a = start(copies[0]!);
    const b = start(copies[1]!);
    const [leaseA, leaseB] = await Promise.all([waitFor('copy A lease', () => liveLeaseOf(copies[0]!), 120_000, a.output), waitFor('copy B lease', () => liveLeaseOf(copies[1]!), 120_000, b.output)]);
    for (const l of [leaseA, leaseB]) usedSlots.add(l.slot);
    expect(leaseA.slot).not.toBe(leaseB.slot);
    expect(Math.min(leaseA.slot, leaseB.slot)).toBeGreaterThanOrEqual(RESERVED);

    // Each copy's api ready (its PostgreSQL database and Redis prefix answering) is all this test
    // needs; the stack specs show a start going on to every app healthy.
    for (const [lease, stack] of [[leaseA, a], [leaseB, b]] as const) {
      const api = listServices({ instance: lease.slot, env: {} }).find((s) => s.name === 'api')!;
      const ready = async () => (await fetch(`${api.publicUrl}/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.status;
      let status: number | undefined;
      for (const until = Date.now() + 300_000; Date.now() < until && status !== 200; await sleep(500)) status = await ready();
      expect(status, `api /ready of instance ${lease.slot}\n${stack.output()}`).toBe(200);
    }

    // --only api: the other apps are supervised as stopped (startable from the dashboard), not started.
    const supervisorA = listServices({ instance: leaseA.slot, env: {} }).find((s) => s.name === 'supervisor')!;
    const keyA = readFileSync(join(copies[0]!, '.hypernode', 'admin-key'), 'utf8').trim();
    const supervised = (await (await fetch(`${supervisorA.publicUrl}/services`, { headers: { authorization: `Bearer ${keyA}` }, signal: AbortSignal.timeout(5000) })).json()) as SupervisorServices;
    expect(Object.fromEntries(supervised.services.map((x) => [x.name, x.state]))).toEqual({ site: 'stopped', 'llm-deployer': 'stopped', api: 'ready', realtime: 'stopped', automation: 'stopped', 'gpu-worker': 'stopped' });
    expect(a.output()).toContain('not starting site, llm-deployer, realtime, automation, gpu-worker (--only)');

    // Data is per instance: a deployment made in A is not in B.
    const created = await apiCall(copies[0]!, leaseA.slot, 'POST', '/deployments', { model: 'only-in-a', minVramGb: 4000 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const inA = await apiCall(copies[0]!, leaseA.slot, 'GET', `/deployments/${String(created.body.id)}`);
    const inB = await apiCall(copies[1]!, leaseB.slot, 'GET', `/deployments/${String(created.body.id)}`);
    expect([inA.status, inB.status]).toEqual([200, 404]);

    // What a user sees: `hypernode instances` from copy A, and `ports check` naming B's checkout.
    const table = await copyCli(copies[0]!, ['instances']);
    console.log(`hypernode instances (from copy A):\n${table.stdout}`);
    const listed = JSON.parse((await copyCli(copies[0]!, ['instances', '--json'])).stdout) as { slot: number; path: string; pid: number; ports: Record<string, number> }[];
    const mine = listed.filter((l) => copies.includes(l.path));
    expect(mine.map((l) => [l.slot, l.path])).toEqual([[leaseA.slot, copies[0]], [leaseB.slot, copies[1]]].sort((x, y) => (x[0] as number) - (y[0] as number)));
    expect(mine.find((l) => l.path === copies[1])!.ports.api).toBe(listServices({ instance: leaseB.slot, env: {} }).find((s) => s.name === 'api')!.port);
    const check = await copyCli(copies[0]!, ['ports', 'check', '--instance', String(leaseB.slot)]);
    expect(check.stdout + check.stderr).toContain(`held by instance ${leaseB.slot}: ${copies[1]}`);

    // SIGKILL B's `hypernode up` (the lease's owner): the lease is stale; the next start reclaims the slot.
    process.kill(leaseB.pid, 'SIGKILL');
    await waitFor('B lease to go stale', () => (liveLeaseOf(copies[1]!) ? undefined : true), 10_000);
    const staleB = listLeases(join(home, 'instances.json')).find((l) => l.path === copies[1]);
    expect(staleB).toMatchObject({ slot: leaseB.slot, live: false });
    await stopCopy(copies[1]!, b.child);
    const again = start(copies[1]!);
    const leaseB2 = await waitFor('B lease again', () => liveLeaseOf(copies[1]!), 120_000, again.output);
    expect(leaseB2.slot).toBe(leaseB.slot);
    await waitFor('the reclaim message', () => (again.output().includes(`reclaimed the stale lease of instance ${leaseB.slot}`) ? true : undefined), 10_000, again.output);
    // The reclaimed slot is the same instance with the same data (the stack specs show a start
    // going on to healthy); this one is stopped while it starts. A clean stop releases the lease,
    // whenever it comes.
    await stopCopy(copies[1]!, again.child, leaseB2.pid);
    await stopCopy(copies[0]!, a.child, leaseA.pid);
    expect(listLeases(join(home, 'instances.json')).filter((l) => copies.includes(l.path))).toEqual([]);
  });
});
