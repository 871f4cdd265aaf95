import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLsof, parseLsofCwd, parseLsofFiles, splitLsofName } from './lsof.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('lsof -F pcn parsing', () => {
  it('reads every family of listener from a Linux capture', () => {
    const map = parseLsof(fixture('linux-lsof-F-pcn.txt'), new Set([13001, 13002, 13003, 13004, 6379]));
    expect(map.get(13001)).toEqual([{ port: 13001, address: '127.0.0.1', pid: 8722, command: 'node' }]);
    expect(map.get(13002)![0]).toMatchObject({ address: '::1', pid: 8723 });
    expect(map.get(13003)![0]).toMatchObject({ address: '*', pid: 8724 });
    expect(map.get(13004)![0]).toMatchObject({ address: '*', pid: 8725 });
    expect(map.get(6379)!.map((l) => l.address)).toEqual(['127.0.0.1', '::1']);
    expect(map.has(5432)).toBe(false);
  });

  it('reads a macOS listing (truncated command names, wildcard addresses)', () => {
    const map = parseLsof(fixture('macos-lsof-F-pcn.txt'));
    expect(map.get(3002)).toEqual([{ port: 3002, address: '::1', pid: 23511, command: 'node' }]);
    expect(map.get(3000)![0]).toMatchObject({ address: '*', pid: 23514 });
    expect(map.get(6379)!.map((l) => l.command)).toEqual(['redis-ser', 'redis-ser']);
    expect(map.get(5000)![0]).toMatchObject({ pid: 512, command: 'ControlCe' });
  });

  it('reads the cwd of a process and splits odd names', () => {
    expect(parseLsofCwd(fixture('macos-lsof-cwd.txt'))).toBe('/Users/dev/hypernode/apps/api');
    expect(splitLsofName('[fe80::1%lo0]:3000')).toEqual({ address: 'fe80::1%lo0', port: 3000 });
    expect(splitLsofName('localhost:http (LISTEN)')).toBeUndefined();
  });

  it('reads the cwd and the executable of a process (first `txt` entry)', () => {
    expect(parseLsofFiles(fixture('linux-lsof-cwd-txt.txt'))).toEqual({ cwd: '/tmp/lsofcap', executable: '/usr/bin/node' });
    expect(parseLsofFiles('p1\nfcwd\nn/a\nftxt\nn/usr/bin/node\nftxt\nn/usr/lib/libc.so.6\n')).toEqual({ cwd: '/a', executable: '/usr/bin/node' });
    expect(parseLsofFiles(fixture('macos-lsof-cwd.txt'))).toEqual({ cwd: '/Users/dev/hypernode/apps/api' });
  });
});
