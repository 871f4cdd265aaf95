import { realpathSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
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

/** The root as given and as the OS resolves it (/proc links show resolved paths). */
function rootForms(root: string): string[] {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    /* a root that does not exist here is compared as given */
  }
  return [...new Set([resolve(root), resolve(real)])];
}

/** Why a holder counts as part of the workspace, or undefined when it does not. */
export function workspaceMembership(listener: Listener, root: string): 'marker' | 'executable-and-cwd' | undefined {
  const roots = rootForms(root);
  if (listener.workspace && roots.includes(resolve(listener.workspace))) return 'marker';
  const inside = (path: string | undefined) => path !== undefined && roots.some((r) => isInside(path, r));
  // Both, because `node` (or python) lives outside any workspace and a cwd alone is easy to share by accident.
  if (inside(listener.executable) && inside(listener.cwd)) return 'executable-and-cwd';
  return undefined;
}

/**
 * True when the process is part of this workspace: it carries the stack marker
 * (`HYPERNODE_WORKSPACE=<root>`, set by the serve targets and `hypernode up`), or its
 * executable AND its working directory are inside `root`. Its arguments never count: any
 * process can name the workspace path on its command line.
 */
export function belongsToWorkspace(listener: Listener, root: string): boolean {
  return workspaceMembership(listener, root) !== undefined;
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
