import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { parseProcStatStartTime } from './identity.js';
import { parseProcNetTcp, serviceFromEnviron, socketInode, variableFromEnviron, type ProcSocket } from './proc-net.js';
import { parseSs, SS_ARGS } from './ss.js';
import { addListener, WORKSPACE_MARKER, type Listener, type ListenerMap } from './types.js';

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

/** What /proc tells of one process. */
export type LinuxProcess = Pick<Listener, 'command' | 'cwd' | 'service' | 'executable' | 'workspace' | 'startTime'>;

/**
 * Describes one process from /proc: command line, cwd, executable, start time, and from its
 * start-up environment HYPERNODE_SERVICE and the workspace marker (environ and exe are
 * readable only for the same user or root; they stay undefined otherwise).
 */
export function describeLinuxProcess(pid: number): LinuxProcess {
  const cmdline = tryRead(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  const command = cmdline?.replace(/\0+$/, '').split('\0').join(' ').replace(/\s+/g, ' ').trim() || undefined;
  const cwd = tryRead(() => readlinkSync(`/proc/${pid}/cwd`));
  const executable = tryRead(() => readlinkSync(`/proc/${pid}/exe`));
  const stat = tryRead(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const environ = tryRead(() => readFileSync(`/proc/${pid}/environ`, 'utf8'));
  return {
    command,
    cwd,
    executable,
    startTime: stat ? parseProcStatStartTime(stat) : undefined,
    service: environ ? serviceFromEnviron(environ) : undefined,
    workspace: environ ? variableFromEnviron(environ, WORKSPACE_MARKER) : undefined,
  };
}

/**
 * Every listening TCP socket (IPv4 and IPv6) with its inode: from `ss` where it runs (see
 * SS_ARGS: the kernel answers for the listening sockets alone), else from /proc/net/tcp{,6}.
 */
export function listeningSockets(useSs = true): ProcSocket[] {
  if (useSs) {
    const ss = spawnSync('ss', SS_ARGS, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 });
    if (ss.status === 0 && !ss.error) return parseSs(ss.stdout);
  }
  // No iproute2 (a slim container), or ss failed: the same facts, read the slow way.
  const sockets: ProcSocket[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = tryRead(() => readFileSync(file, 'utf8'));
    if (text) sockets.push(...parseProcNetTcp(text));
  }
  return sockets;
}

/** Listeners on the given ports (all ports when omitted), from the kernel's socket list and /proc. */
export function linuxListeners(ports?: ReadonlySet<number>): ListenerMap {
  const sockets = listeningSockets().filter((s) => !ports || ports.has(s.port));
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
