/** A process listening on a TCP port, as far as the OS lets us see it. */
export interface Listener {
  port: number;
  /** Local address as the OS shows it: `127.0.0.1`, `::1`, `0.0.0.0`, `::`, `*`. */
  address: string;
  /** Process id; undefined when the OS hides the owner (another user's socket without privileges). */
  pid?: number;
  /** Command line (or process name where that is all the OS gives). */
  command?: string;
  /** Working directory of the process, where readable. */
  cwd?: string;
  /** `HYPERNODE_SERVICE` from the process's start-up environment, where readable. */
  service?: string;
  /** Absolute path of the running executable, where readable (/proc/<pid>/exe, lsof `txt`). */
  executable?: string;
  /** The stack marker (`HYPERNODE_WORKSPACE`) from its start-up environment, where readable (Linux). */
  workspace?: string;
  /** When the process started (see `processStartTime`), so a reused pid is not mistaken for it. */
  startTime?: string;
}

/**
 * Environment variable every process of a stack carries: the absolute workspace root. Set
 * by the inferred serve targets and by `hypernode up`; read back from /proc/<pid>/environ.
 */
export const WORKSPACE_MARKER = 'HYPERNODE_WORKSPACE';

/** Listeners grouped by port. */
export type ListenerMap = Map<number, Listener[]>;

/** Adds a listener to the map, skipping exact duplicates (same port, address and pid). */
export function addListener(map: ListenerMap, listener: Listener): void {
  const list = map.get(listener.port) ?? [];
  if (!list.some((l) => l.address === listener.address && l.pid === listener.pid)) list.push(listener);
  map.set(listener.port, list);
}
