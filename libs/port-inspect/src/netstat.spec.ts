import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNetstat, parseTasklist } from './netstat.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('Windows netstat -ano parsing', () => {
  it('keeps LISTENING TCP rows of both families and drops the rest', () => {
    const map = parseNetstat(fixture('windows-netstat-ano.txt'));
    expect(map.get(3000)).toEqual([{ port: 3000, address: '0.0.0.0', pid: 14760 }]);
    expect(map.get(3002)).toEqual([{ port: 3002, address: '127.0.0.1', pid: 9320 }]);
    expect(map.get(3003)).toEqual([{ port: 3003, address: '::', pid: 9412 }]);
    expect(map.get(5432)).toEqual([{ port: 5432, address: '::1', pid: 6120 }]);
    expect(map.get(3004)).toEqual([{ port: 3004, address: 'fe80::1c2d:3e4f:5a6b:7c8d', pid: 7788 }]);
    expect(map.has(5353)).toBe(false);
  });

  it('filters by port', () => {
    expect([...parseNetstat(fixture('windows-netstat-ano.txt'), new Set([3002])).keys()]).toEqual([3002]);
  });

  it('maps pids to image names from tasklist CSV, quotes included', () => {
    const names = parseTasklist(fixture('windows-tasklist-csv.txt'));
    expect(names.get(14760)).toBe('node.exe');
    expect(names.get(6120)).toBe('postgres.exe');
    expect(names.get(7788)).toBe('Code "Insiders".exe');
  });
});
