import { addListener, type ListenerMap } from './types.js';

/** The lsof invocation whose output parseLsof reads (macOS, and Linux without /proc). */
export const LSOF_ARGS = ['-nP', '-iTCP', '-sTCP:LISTEN', '-F', 'pcn'] as const;

/** Splits an lsof `n` field (`127.0.0.1:5000`, `[::1]:5001`, `*:5002`) into address and port. */
export function splitLsofName(name: string): { address: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+|\*)):(\d+)$/.exec(name.replace(/\s.*$/, ''));
  if (!m) return undefined;
  return { address: m[1] ?? m[2]!, port: Number(m[3]) };
}

/**
 * Parses `lsof -F pcn` output: `p<pid>` starts a process, `c<command>` names it, each
 * `n<addr>:<port>` is one listening socket of it (`f` lines are ignored).
 */
export function parseLsof(text: string, ports?: ReadonlySet<number>): ListenerMap {
  const map: ListenerMap = new Map();
  let pid: number | undefined;
  let command: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') {
      pid = Number(value);
      command = undefined;
    } else if (tag === 'c') {
      command = value;
    } else if (tag === 'n') {
      const where = splitLsofName(value);
      if (where && (!ports || ports.has(where.port))) addListener(map, { ...where, pid, command });
    }
  }
  return map;
}

/** Parses `lsof -a -p <pid> -d cwd -F n` output into the working directory. */
export function parseLsofCwd(text: string): string | undefined {
  const line = text.split(/\r?\n/).find((l) => l.startsWith('n'));
  return line?.slice(1) || undefined;
}

/**
 * Parses `lsof -a -p <pid> -d cwd,txt -F fn` output: the `cwd` entry is the working
 * directory, the first `txt` entry the running executable (later ones are mapped libraries).
 */
export function parseLsofFiles(text: string): { cwd?: string; executable?: string } {
  const found: { cwd?: string; executable?: string } = {};
  let fd: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('f')) fd = line.slice(1);
    else if (line.startsWith('n') && line.length > 1) {
      if (fd === 'cwd') found.cwd ??= line.slice(1);
      else if (fd === 'txt') found.executable ??= line.slice(1);
    }
  }
  return found;
}
