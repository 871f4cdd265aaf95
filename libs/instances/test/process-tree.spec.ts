import { describe, expect, it } from 'vitest';
import { isNxCommand, lineage, nxAncestor, processInfo, type ProcessInfo } from '../src/index.js';

describe('process tree', () => {
  it('recognises the Nx CLI, not its helpers or npm wrappers', () => {
    expect(isNxCommand(['node', '/w/node_modules/.bin/nx', 'run-many', '-t', 'serve'])).toBe(true);
    expect(isNxCommand(['node', '/w/node_modules/nx/bin/nx.js', 'run', 'api:serve'])).toBe(true);
    expect(isNxCommand(['nx', 'run-many'])).toBe(true);
    expect(isNxCommand(['node', '/w/node_modules/nx/bin/run-executor.js'])).toBe(false);
    expect(isNxCommand(['npm', 'exec', 'nx', 'run-many'])).toBe(false);
    expect(isNxCommand(['sh', '-c', 'nx run-many'])).toBe(false);
  });

  it('finds the nearest Nx ancestor (an inner Nx run inside an outer Nx task owns its own tasks)', () => {
    const table: Record<number, ProcessInfo> = {
      50: { pid: 50, ppid: 40, args: ['node', 'tools/cli/bin/hypernode.js', 'infra'] },
      40: { pid: 40, ppid: 30, args: ['/bin/sh', '-c', 'node tools/cli/bin/hypernode.js infra'] },
      30: { pid: 30, ppid: 20, args: ['node', '/w/node_modules/.bin/nx', 'run-many', '-t', 'serve'] },
      20: { pid: 20, ppid: 10, args: ['node', '/w/node_modules/nx/bin/nx.js', 'run-many', '-t', 'test'] },
      10: { pid: 10, ppid: 1, args: ['bash'] },
    };
    expect(nxAncestor(50, (pid) => table[pid])).toBe(30);
    expect(nxAncestor(10, (pid) => table[pid])).toBeUndefined();
  });

  it('reads this process: its parent and arguments', () => {
    const me = processInfo(process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(me?.args.length).toBeGreaterThan(0);
    expect(lineage().slice(0, 2)).toEqual([process.pid, process.ppid]);
  });
});
