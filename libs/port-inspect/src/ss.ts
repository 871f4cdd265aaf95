import type { ProcSocket } from './proc-net.js';

/**
 * `ss` (iproute2) listing the listening TCP sockets, numeric, with their inodes: it asks the
 * kernel over netlink (sock_diag) for sockets in LISTEN only. Reading /proc/net/tcp{,6} instead
 * makes the kernel walk its whole connection hash table, sized by the machine's memory, not by
 * the sockets in it: ~5 ms per file on an idle 24 GiB VM (10 ms for both, every `ports check`) and
 * 20 ms on a loaded one, against ~3 ms for this whole command.
 */
export const SS_ARGS = ['-H', '-t', '-l', '-n', '-e'] as const;

/** `127.0.0.1:N`, `[::1]:N`, `*:N` (dual-stack `::`), `127.0.0.53%lo:N` → address and port N. */
function splitLocal(local: string): { address: string; port: number } | undefined {
  const at = local.lastIndexOf(':');
  if (at <= 0) return undefined;
  const port = Number(local.slice(at + 1));
  let address = local.slice(0, at);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  address = address.replace(/%.*$/, '');
  // ss prints a dual-stack wildcard (v6only 0) as `*`; /proc and Node call it `::`.
  if (address === '*') address = '::';
  return Number.isInteger(port) && port > 0 && address ? { address, port } : undefined;
}

/**
 * Parses `ss -H -t -l -n -e` output into its listening sockets (a header line, if any, is skipped).
 * Hand-written, like the lsof and netstat parsers beside it: no npm package reads `ss`, and the
 * netlink socket it uses is not reachable from Node without a native addon.
 */
export function parseSs(text: string): ProcSocket[] {
  const sockets: ProcSocket[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[0] !== 'LISTEN' || cols.length < 5) continue;
    const local = splitLocal(cols[3]!);
    const inode = /(?:^|\s)ino:(\d+)(?:\s|$)/.exec(line)?.[1];
    if (!local || inode === undefined) continue;
    sockets.push({ ...local, inode: Number(inode) });
  }
  return sockets;
}
