import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isSameProcess, parseProcStatStartTime, processIdentity, processStartTime } from './identity.js';
import { isAlive, stopProcess } from './stop.js';

// A /proc/<pid>/stat line whose command name holds spaces and a `)`, as a process may name itself.
const STAT = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 310 0 0 0 2 1 0 0 20 0 1 0 987654 12345678 900 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.pid && isAlive(c.pid)) process.kill(c.pid, 'SIGKILL');
});

/** A child that ignores SIGTERM, so only SIGKILL (or nothing) ends it. */
function stubborn(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  return new Promise((resolve) => child.stdout!.once('data', () => resolve(child)));
}

describe('process identity (pid + start time)', () => {
  it('reads field 22 of /proc/<pid>/stat, counting fields after the last `)`', () => {
    expect(parseProcStatStartTime(STAT)).toBe('987654');
    expect(parseProcStatStartTime('garbage')).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('reads a live start time that stays put, and none for a pid that does not exist', () => {
    const now = processStartTime(process.pid);
    expect(now).toMatch(/^\d+$/);
    expect(processStartTime(process.pid)).toBe(now);
    expect(processStartTime(2 ** 30)).toBeUndefined();
  });

  it('tells a reused pid from the same process', () => {
    const seen = processIdentity(4242, () => '987654');
    expect(isSameProcess(seen, () => '987654')).toBe(true);
    expect(isSameProcess(seen, () => '990001')).toBe(false);
    expect(isSameProcess(seen, () => undefined)).toBe(false);
    expect(isSameProcess({ pid: 4242 }, () => '990001')).toBe(true); // nothing recorded: the pid alone decides
  });

  it('sends no SIGTERM when the pid now belongs to a process with another start time', async () => {
    const child = await stubborn();
    const outcome = await stopProcess(child.pid!, 100, { identity: { pid: child.pid!, startTime: 'an earlier process' } });
    expect(outcome).toBe('pid-reused');
    expect(isAlive(child.pid!)).toBe(true);
  });

  it('sends no SIGKILL when the start time changed during the grace period', async () => {
    const child = await stubborn();
    const reads = ['100', '200']; // read before SIGTERM, then before SIGKILL
    const outcome = await stopProcess(child.pid!, 150, { identity: { pid: child.pid!, startTime: '100' }, readStartTime: () => reads.shift() ?? '200' });
    expect(outcome).toBe('pid-reused');
    expect(isAlive(child.pid!)).toBe(true);
  });

  it('stops the same process through SIGTERM and SIGKILL when its identity holds', async () => {
    const child = await stubborn();
    const outcome = await stopProcess(child.pid!, 150, { identity: processIdentity(child.pid!) });
    expect(outcome).toBe('killed');
  });
});
