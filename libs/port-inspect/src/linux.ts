import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { parseProcNetTcp, serviceFromEnviron, socketInode, type ProcSocket } from './proc-net.js';
import { addListener, type ListenerMap } from './types.js';

function tryRead(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Maps socket inodes to the pids holding them, scanning /proc/<pid>/fd only when asked. */
function pidsForInodes(inodes: Set<number>): Map<number, number[]> {
  const owners = new Map<number, number[]>();
  if (inodes.size === 0) return owners;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // process gone or not ours to read
    }
    for (const fd of fds) {
      const target = tryRead(() => readlinkSync(`/proc/${entry}/fd/${fd}`));
      const inode = target ? socketInode(target) : undefined;
      if (inode !== undefined && inodes.has(inode)) {
        const pids = owners.get(inode) ?? [];
        if (!pids.includes(Number(entry))) pids.push(Number(entry));
        owners.set(inode, pids);
      }
    }
  }
  return owners;
}

/** Describes one process from /proc: command line, cwd and HYPERNODE_SERVICE. */
export function describeLinuxProcess(pid: number): { command?: string; cwd?: string; service?: string } {
  const cmdline = tryRead(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  const command = cmdline?.replace(/\0+$/, '').split('\0').join(' ').replace(/\s+/g, ' ').trim() || undefined;
  const cwd = tryRead(() => readlinkSync(`/proc/${pid}/cwd`));
  const environ = tryRead(() => readFileSync(`/proc/${pid}/environ`, 'utf8'));
  return { command, cwd, service: environ ? serviceFromEnviron(environ) : undefined };
}

/** Listeners on the given ports (all ports when omitted), read from /proc. */
export function linuxListeners(ports?: ReadonlySet<number>): ListenerMap {
  const sockets: ProcSocket[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = tryRead(() => readFileSync(file, 'utf8'));
    if (text) sockets.push(...parseProcNetTcp(text).filter((s) => !ports || ports.has(s.port)));
  }
  const owners = pidsForInodes(new Set(sockets.map((s) => s.inode)));
  const described = new Map<number, ReturnType<typeof describeLinuxProcess>>();
  const map: ListenerMap = new Map();
  for (const socket of sockets) {
    const pids = owners.get(socket.inode) ?? [];
    if (pids.length === 0) addListener(map, { port: socket.port, address: socket.address });
    for (const pid of pids) {
      if (!described.has(pid)) described.set(pid, describeLinuxProcess(pid));
      addListener(map, { port: socket.port, address: socket.address, pid, ...described.get(pid) });
    }
  }
  return map;
}
