import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProcNetTcp, serviceFromEnviron, socketInode } from './proc-net.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('/proc/net/tcp parsing', () => {
  it('finds IPv4 listeners on 127.0.0.1 and 0.0.0.0 and skips other states', () => {
    const sockets = parseProcNetTcp(fixture('linux-proc-net-tcp.txt'));
    expect(sockets.map((s) => [s.address, s.port])).toEqual([
      ['127.0.0.1', 13001],
      ['127.0.0.1', 5432],
      ['127.0.0.1', 6379],
      ['0.0.0.0', 13003],
    ]);
    expect(sockets[0]!.inode).toBe(23640);
  });

  it('finds IPv6 listeners on ::1 and ::', () => {
    const sockets = parseProcNetTcp(fixture('linux-proc-net-tcp6.txt'));
    expect(sockets.map((s) => [s.address, s.port])).toEqual([
      ['::1', 6379],
      ['::1', 13002],
      ['::', 13004],
    ]);
  });

  it('decodes IPv4-mapped and other IPv6 addresses', () => {
    const line = (addr: string) => `  sl local rem st\n   0: ${addr}:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 99 1`;
    expect(parseProcNetTcp(line('0000000000000000FFFF00000100007F'))[0]!.address).toBe('::ffff:127.0.0.1');
    expect(parseProcNetTcp(line('B80D0120000000000000000001000000'))[0]).toMatchObject({ address: '2001:db8::1', port: 3000 });
  });

  it('reads socket inodes and HYPERNODE_SERVICE', () => {
    expect(socketInode('socket:[23640]')).toBe(23640);
    expect(socketInode('/dev/null')).toBeUndefined();
    expect(serviceFromEnviron('PATH=/bin\0HYPERNODE_SERVICE=api\0HOME=/root\0')).toBe('api');
    expect(serviceFromEnviron('PATH=/bin\0')).toBeUndefined();
  });
});
