import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { linuxListeners } from './linux.js';
import { LSOF_ARGS, parseLsof, parseLsofFiles } from './lsof.js';
import { NETSTAT6_ARGS, NETSTAT_ARGS, parseNetstat, parseTasklist } from './netstat.js';
import type { ListenerMap } from './types.js';

function run(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  } catch (error) {
    // lsof exits 1 when nothing matches yet still prints what it found.
    const out = (error as { stdout?: string }).stdout;
    if (typeof out === 'string') return out;
    throw error;
  }
}

function macListeners(ports?: ReadonlySet<number>): ListenerMap {
  const map = parseLsof(run('lsof', LSOF_ARGS), ports);
  for (const list of map.values()) {
    for (const l of list) {
      if (l.pid) Object.assign(l, parseLsofFiles(run('lsof', ['-a', '-p', String(l.pid), '-d', 'cwd,txt', '-F', 'fn'])));
    }
  }
  return map;
}

function windowsListeners(ports?: ReadonlySet<number>): ListenerMap {
  const map = parseNetstat(run('netstat', NETSTAT_ARGS) + '\n' + run('netstat', NETSTAT6_ARGS), ports);
  const names = parseTasklist(run('tasklist', ['/FO', 'CSV', '/NH']));
  for (const list of map.values()) for (const l of list) if (l.pid) l.command = names.get(l.pid);
  return map;
}

/**
 * Every TCP listener on the given ports (all when omitted), on IPv4 and IPv6 alike, with
 * the owning process where the OS shows it. Linux reads /proc; macOS asks lsof; Windows
 * asks netstat and tasklist.
 */
export function findListeners(ports?: Iterable<number>): ListenerMap {
  const wanted = ports ? new Set(ports) : undefined;
  if (process.platform === 'linux' && existsSync('/proc/net/tcp')) return linuxListeners(wanted);
  if (process.platform === 'win32') return windowsListeners(wanted);
  return macListeners(wanted);
}
