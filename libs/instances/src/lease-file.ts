import { readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LeaseFileError } from './errors.js';

/** One leased slot. */
export interface Lease {
  /** The instance number (0–99): app ports + slot × 100, data named after it. */
  slot: number;
  /** Absolute path of the checkout (workspace root). */
  path: string;
  /** The process the lease lives and dies with (`hypernode up`, or the Nx command of a bare run). */
  pid: number;
  /** That process's start time (see @hypernode/port-inspect processStartTime), so a reused pid is stale. */
  startTime?: string;
  /** ISO time the lease was taken. */
  started: string;
  /** True when taken for an explicit HYPERNODE_INSTANCE (such a run may sit beside the checkout's own). */
  pinned?: boolean;
}

/** What the file holds: live or stale leases, and each checkout's last slot (so URLs stay stable). */
export interface LeaseState {
  leases: Lease[];
  lastSlot: Record<string, number>;
}

/** The variable that moves the lease folder (tests point it at a temp folder). */
export const HOME_ENV = 'HYPERNODE_HOME';

/** The lease file: `$HYPERNODE_HOME/instances.json`, default `~/.hypernode/instances.json`. */
export function leaseFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env[HOME_ENV] || join(homedir(), '.hypernode'), 'instances.json');
}

function isLease(value: unknown): value is Lease {
  const l = value as Lease;
  return typeof l === 'object' && l !== null && Number.isInteger(l.slot) && typeof l.path === 'string' && Number.isInteger(l.pid) && typeof l.started === 'string';
}

/** Reads the file; a missing file is an empty state. Writes are atomic (rename), so no lock is needed to read. */
export function readLeases(file: string): LeaseState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { leases: [], lastSlot: {} };
    throw error;
  }
  let data: Partial<LeaseState>;
  try {
    data = JSON.parse(text) as Partial<LeaseState>;
  } catch (error) {
    throw new LeaseFileError(file, (error as Error).message);
  }
  if (!Array.isArray(data.leases) || !data.leases.every(isLease)) throw new LeaseFileError(file, '"leases" must be an array of {slot, path, pid, started}');
  return { leases: data.leases, lastSlot: typeof data.lastSlot === 'object' && data.lastSlot !== null ? data.lastSlot : {} };
}

/** Writes the whole state atomically: a temp file beside it, then rename over it. */
export function writeLeases(file: string, state: LeaseState): void {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
