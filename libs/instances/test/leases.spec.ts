import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireSlot, leaseOfRun, lineage, listLeases, liveLeaseOf, pruneStale, readLeases, releaseSlot, writeLeases, CheckoutRunningError, SlotTakenError } from '../src/index.js';

let dir: string;
let file: string;
const children: ChildProcess[] = [];

/** A live process that is not this one, to own a lease. */
function otherProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'process.stdin.resume(); process.stdin.on("end", () => process.exit(0))'], { stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

/** A pid that no process has now (a child that has exited). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hn-leases-'));
  file = join(dir, 'instances.json');
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  for (const c of children.splice(0)) c.kill();
});

describe('instance leases', () => {
  it('takes the lowest free slot, and the same checkout gets its previous slot back when it is free', async () => {
    const a = await acquireSlot({ file, path: '/w/a' });
    const other = otherProcess();
    const b = await acquireSlot({ file, path: '/w/b', pid: other.pid });
    expect([a.lease.slot, b.lease.slot]).toEqual([0, 1]);
    // b stops; a third checkout takes slot 1; b comes back and gets the lowest free (2), then its own again later.
    expect(await releaseSlot(b.lease, file)).toBe(true);
    const c = await acquireSlot({ file, path: '/w/c', pid: otherProcess().pid });
    expect(c.lease.slot).toBe(1);
    await releaseSlot(a.lease, file);
    const again = await acquireSlot({ file, path: '/w/a' });
    expect(again.lease.slot).toBe(0);
    await releaseSlot(c.lease, file);
    const bAgain = await acquireSlot({ file, path: '/w/b', pid: other.pid });
    expect(bAgain.lease.slot).toBe(1);
    expect(readLeases(file).lastSlot).toEqual({ '/w/a': 0, '/w/b': 1, '/w/c': 1 });
  });

  it('a lease whose pid died, or whose pid now belongs to a later process, is stale and reclaimed', async () => {
    const dead = await deadPid();
    const reused = otherProcess();
    writeLeases(file, {
      leases: [
        { slot: 0, path: '/w/dead', pid: dead, startTime: '1', started: new Date().toISOString() },
        { slot: 1, path: '/w/reused', pid: reused.pid!, startTime: '1', started: new Date().toISOString() },
      ],
      lastSlot: {},
    });
    expect(listLeases(file).map((l) => l.live)).toEqual([false, false]);
    const taken = await acquireSlot({ file, path: '/w/new' });
    expect(taken.lease.slot).toBe(0);
    expect(taken.reclaimed.map((l) => l.path).sort()).toEqual(['/w/dead', '/w/reused']);
    expect(readLeases(file).leases.map((l) => l.path)).toEqual(['/w/new']);
  });

  it('a pinned slot held by another live checkout is refused, naming its path; a free one is taken', async () => {
    const holder = otherProcess();
    await acquireSlot({ file, path: '/w/holder', pid: holder.pid, pinned: 4 });
    const refused = acquireSlot({ file, path: '/w/me', pinned: 4 });
    await expect(refused).rejects.toBeInstanceOf(SlotTakenError);
    await expect(refused).rejects.toThrow(/instance 4 is held by \/w\/holder \(pid \d+\)\. Fix: unset HYPERNODE_INSTANCE/);
    expect((await acquireSlot({ file, path: '/w/me', pinned: 5 })).lease.slot).toBe(5);
  });

  it('one unpinned stack per checkout: another is refused naming the holder; the holder joins its lease; a pinned run may sit beside it', async () => {
    const holder = otherProcess();
    const first = await acquireSlot({ file, path: '/w/a', pid: holder.pid });
    await expect(acquireSlot({ file, path: '/w/a' })).rejects.toBeInstanceOf(CheckoutRunningError);
    await expect(acquireSlot({ file, path: '/w/a' })).rejects.toThrow(/\/w\/a already runs as instance 0 \(pid \d+\)/);
    const joined = await acquireSlot({ file, path: '/w/a', pid: holder.pid });
    expect(joined).toMatchObject({ joined: true, lease: { slot: first.lease.slot } });
    const pinned = await acquireSlot({ file, path: '/w/a', pinned: 9 });
    expect(pinned.lease).toMatchObject({ slot: 9, pinned: true });
    // The checkout's own (unpinned) lease is what it "runs as"; each run finds its own by its process lineage.
    expect(liveLeaseOf('/w/a', file)?.pid).toBe(holder.pid);
    expect(leaseOfRun('/w/a', lineage(), file)?.slot).toBe(9);
    expect(leaseOfRun('/w/a', [holder.pid!], file)?.slot).toBe(0);
    expect(readLeases(file).lastSlot['/w/a']).toBe(0);
  });

  it('skips a free slot the caller finds unusable (its ports held by a process with no lease)', async () => {
    const taken = await acquireSlot({ file, path: '/w/a', unusable: (slot) => (slot < 2 ? `port of slot ${slot} held` : undefined) });
    expect(taken.lease.slot).toBe(2);
  });

  it('prune drops only stale leases', async () => {
    const live = otherProcess();
    const { lease } = await acquireSlot({ file, path: '/w/live', pid: live.pid });
    writeLeases(file, { leases: [lease, { slot: 1, path: '/w/dead', pid: await deadPid(), started: new Date().toISOString() }], lastSlot: {} });
    expect((await pruneStale(file)).map((l) => l.path)).toEqual(['/w/dead']);
    expect(listLeases(file).map((l) => [l.path, l.live])).toEqual([['/w/live', true]]);
  });

  it('an unreadable lease file is an error naming it and the fix', async () => {
    writeFileSync(file, '{"leases": 3}');
    await expect(acquireSlot({ file, path: '/w/a' })).rejects.toThrow(`${file} is not a valid lease file`);
  });

  it('10 processes racing for free slots never share one', async () => {
    const racers = Array.from({ length: 10 }, (_, i) =>
      spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'racer.ts'), file, `/w/racer-${i}`], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    children.push(...racers);
    const lines = racers.map((r) => {
      const queue: string[] = [];
      const waiters: ((line: string) => void)[] = [];
      let buffer = '';
      r.stdout!.on('data', (d: Buffer) => {
        buffer += d.toString();
        for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 1);
          const waiter = waiters.shift();
          if (waiter) waiter(line);
          else queue.push(line);
        }
      });
      return () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise<string>((resolve) => waiters.push(resolve)));
    });
    // Every taker loaded first, then all released at once, so they really contend for the lock.
    expect(await Promise.all(lines.map((next) => next()))).toEqual(Array(10).fill('ready'));
    const started = performance.now();
    for (const r of racers) r.stdin!.write('go\n');
    const results = await Promise.all(lines.map(async (next) => JSON.parse(await next()) as { slot: number; pid: number; ms: number }));
    const wall = performance.now() - started;
    const slots = results.map((r) => r.slot).sort((a, b) => a - b);
    expect(slots).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(listLeases(file).filter((l) => l.live)).toHaveLength(10);
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    console.log(`race: 10 takers, slots ${slots.join(',')}; acquire ms min ${ms[0]!.toFixed(1)} median ${ms[5]!.toFixed(1)} max ${ms[9]!.toFixed(1)}; all 10 placed in ${wall.toFixed(0)} ms`);
    for (const r of racers) r.stdin!.end();
    await Promise.all(racers.map((r) => (r.exitCode === null ? once(r, 'exit') : undefined)));
    expect(listLeases(file).filter((l) => l.live)).toHaveLength(0);
  });
});
