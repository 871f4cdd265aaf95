import type { Listener } from './types.js';

/** TCP state code of a listening socket in /proc/net/tcp{,6}. */
const TCP_LISTEN = '0A';

function ipv4FromHex(hex: string): string {
  // /proc prints the address as one little-endian 32-bit word.
  const bytes = hex.match(/../g)!.map((b) => parseInt(b, 16)).reverse();
  return bytes.join('.');
}

function ipv6FromHex(hex: string): string {
  // Four little-endian 32-bit words; each becomes two big-endian 16-bit groups.
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8).match(/../g)!.reverse().join('');
    groups.push(word.slice(0, 4), word.slice(4, 8));
  }
  const full = groups.map((g) => parseInt(g, 16).toString(16));
  const text = full.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(text);
  if (mapped) {
    const n = (parseInt(mapped[1]!, 16) << 16) | parseInt(mapped[2]!, 16);
    return `::ffff:${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}`;
  }
  return text.replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** A listening socket from /proc/net/tcp{,6}: port, address and the socket inode. */
export interface ProcSocket extends Listener {
  inode: number;
}

/** Parses the text of /proc/net/tcp or /proc/net/tcp6 into its listening sockets. */
export function parseProcNetTcp(text: string): ProcSocket[] {
  const sockets: ProcSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== TCP_LISTEN) continue;
    const [addrHex, portHex] = cols[1]!.split(':') as [string, string];
    const address = addrHex.length === 8 ? ipv4FromHex(addrHex) : ipv6FromHex(addrHex);
    sockets.push({ port: parseInt(portHex, 16), address, inode: Number(cols[9]) });
  }
  return sockets;
}

/** Extracts the socket inode from a /proc/<pid>/fd link target like `socket:[12345]`. */
export function socketInode(linkTarget: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(linkTarget);
  return m ? Number(m[1]) : undefined;
}

/** Reads one variable out of a NUL-separated /proc/<pid>/environ; undefined when absent or empty. */
export function variableFromEnviron(environ: string, key: string): string | undefined {
  for (const pair of environ.split('\0')) {
    if (pair.startsWith(`${key}=`)) return pair.slice(key.length + 1) || undefined;
  }
  return undefined;
}

/** Reads `HYPERNODE_SERVICE` out of a NUL-separated /proc/<pid>/environ. */
export function serviceFromEnviron(environ: string): string | undefined {
  return variableFromEnviron(environ, 'HYPERNODE_SERVICE');
}
