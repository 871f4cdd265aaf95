import { addListener, type ListenerMap } from './types.js';

/** The netstat invocation whose output parseNetstat reads (Windows). */
export const NETSTAT_ARGS = ['-ano', '-p', 'TCP'] as const;
/** Same for IPv6 sockets, which `-p TCP` leaves out on Windows. */
export const NETSTAT6_ARGS = ['-ano', '-p', 'TCPv6'] as const;

/**
 * Parses Windows `netstat -ano` output. Rows look like
 * `  TCP    [::]:5000    [::]:0    LISTENING    4321`; only LISTENING rows count.
 */
export function parseNetstat(text: string, ports?: ReadonlySet<number>): ListenerMap {
  const map: ListenerMap = new Map();
  for (const line of text.split(/\r?\n/)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length !== 5 || !/^TCP/i.test(cols[0]!) || cols[3] !== 'LISTENING') continue;
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(cols[1]!);
    if (!m) continue;
    const port = Number(m[3]);
    if (ports && !ports.has(port)) continue;
    const address = (m[1] ?? m[2]!).replace(/%\d+$/, '');
    addListener(map, { port, address, pid: Number(cols[4]) });
  }
  return map;
}

/** Parses `tasklist /FO CSV /NH` output into pid → image name. */
export function parseTasklist(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split(/\r?\n/)) {
    const cells = [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"'));
    if (cells.length >= 2 && /^\d+$/.test(cells[1]!)) names.set(Number(cells[1]), cells[0]!);
  }
  return names;
}
