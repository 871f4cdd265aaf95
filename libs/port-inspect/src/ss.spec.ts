import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningSockets } from './linux.js';
import { parseSs } from './ss.js';

// `ss -H -t -l -n -e` as iproute2 6.1 prints it (Debian 12), with the forms an address takes.
const SS_OUTPUT = [
  'LISTEN 0      244    127.0.0.1:45432  0.0.0.0:* uid:101 ino:3975 sk:6 cgroup:/ <->',
  'LISTEN 0      128      0.0.0.0:2024  0.0.0.0:* ino:1651 sk:2 cgroup:/ <->',
  'LISTEN 0      511         [::]:40357    [::]:* ino:164527 sk:22 cgroup:/ v6only:1 <->',
  'LISTEN 0      511        [::1]:46379     [::]:* ino:4024 sk:b cgroup:/ v6only:1 <->',
  'LISTEN 0      511            *:45819       *:* ino:164524 sk:24 cgroup:/ v6only:0 <->',
  'LISTEN 0      4096 127.0.0.53%lo:53    0.0.0.0:* uid:998 ino:2211 sk:c cgroup:/ <->',
  'LISTEN 0      511   [::ffff:127.0.0.1]:43000 *:* ino:777 sk:d cgroup:/ <->',
  '',
].join('\n');

describe('ss parsing', () => {
  it('reads address, port and inode of every listening socket; a dual-stack `*` is `::` as in /proc', () => {
    expect(parseSs(SS_OUTPUT)).toEqual([
      { address: '127.0.0.1', port: 45432, inode: 3975 },
      { address: '0.0.0.0', port: 2024, inode: 1651 },
      { address: '::', port: 40357, inode: 164527 },
      { address: '::1', port: 46379, inode: 4024 },
      { address: '::', port: 45819, inode: 164524 },
      { address: '127.0.0.53', port: 53, inode: 2211 },
      { address: '::ffff:127.0.0.1', port: 43000, inode: 777 },
    ]);
  });
  it('skips a header line and anything that is not a listening socket with an inode', () => {
    const header = 'State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process';
    expect(parseSs(`${header}\nESTAB 0 0 127.0.0.1:45432 127.0.0.1:40000 ino:1 sk:1\nLISTEN 0 5 127.0.0.1:9 0.0.0.0:* sk:2\n`)).toEqual([]);
  });
});

describe.runIf(process.platform === 'linux')('listening sockets on this machine: ss and /proc agree', () => {
  const servers: Server[] = [];
  const listen = (options: { host: string; ipv6Only?: boolean }) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ port: 0, ...options }, () => resolve(server));
      servers.push(server);
    });
  beforeAll(async () => {
    await listen({ host: '127.0.0.1' });
    await listen({ host: '0.0.0.0' });
    await listen({ host: '::1' });
    await listen({ host: '::', ipv6Only: true });
    await listen({ host: '::' });
  });
  afterAll(() => servers.forEach((s) => s.close()));

  it('lists the same sockets (address, port, inode) either way, ours among them', () => {
    // Only this test's own ports: other processes of a test run open and close listeners meanwhile.
    const ours = new Set(servers.map((s) => (s.address() as { port: number }).port));
    const key = (s: { address: string; port: number; inode: number }) => `${s.address} ${s.port} ${s.inode}`;
    const fromSs = listeningSockets(true).filter((s) => ours.has(s.port)).map(key).sort();
    const fromProc = listeningSockets(false).filter((s) => ours.has(s.port)).map(key).sort();
    expect(fromSs).toHaveLength(servers.length);
    expect(fromSs).toEqual(fromProc);
    for (const server of servers) {
      const { address, port } = server.address() as { address: string; port: number };
      expect(fromSs.some((k) => k.startsWith(`${address} ${port} `)), `${address}:${port} in ${fromSs.join(', ')}`).toBe(true);
    }
  });
});
