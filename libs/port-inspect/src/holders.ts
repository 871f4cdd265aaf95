import { relative, sep } from 'node:path';
import type { Listener } from './types.js';

/** One human line about who holds a port: `pid 1234 (node main.ts; cwd /srv/app)`. */
export function describeHolder(listener: Listener): string {
  if (listener.pid === undefined) return `an unknown process on ${listener.address} (owner hidden: run as its user or root to see it)`;
  const details = [listener.command ?? 'command unreadable', listener.cwd ? `cwd ${listener.cwd}` : undefined].filter(Boolean);
  return `pid ${listener.pid} (${details.join('; ')})`;
}

/** Every distinct holder of a port, described on one line. */
export function describeHolders(listeners: readonly Listener[]): string {
  const seen = new Map<string, Listener>();
  for (const l of listeners) seen.set(l.pid === undefined ? `?${l.address}` : String(l.pid), l);
  return [...seen.values()].map(describeHolder).join(', ');
}

function isInside(dir: string, root: string): boolean {
  const rel = relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

/** True when the process runs from this workspace (its cwd or command line is inside `root`). */
export function belongsToWorkspace(listener: Listener, root: string): boolean {
  if (listener.cwd && isInside(listener.cwd, root)) return true;
  return listener.command?.includes(root + sep) ?? false;
}

/**
 * Which registry service a holder is, judged by its `HYPERNODE_SERVICE`, its cwd
 * (`<root>/apps/<name>`) or its command line (`apps/<name>/`); undefined when none tells.
 */
export function serviceOfHolder(listener: Listener, root: string): string | undefined {
  if (listener.service) return listener.service;
  if (listener.cwd && isInside(listener.cwd, root)) {
    const m = /^apps[\\/]([^\\/]+)/.exec(relative(root, listener.cwd));
    if (m) return m[1];
  }
  return /apps[\\/]([a-z0-9-]+)[\\/]/.exec(listener.command ?? '')?.[1];
}
