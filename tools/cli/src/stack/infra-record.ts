import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from './infra.js';
import { stopLocalPostgres, stopLocalRedis } from './local-infra.js';

/**
 * What `hypernode infra` started from local binaries, so that a later process can stop it:
 * `npm start` stops what its own run started (matched by HYPERNODE_STACK), and
 * `hypernode infra stop` stops all of it. Infra started by a bare `nx run-many -t serve`
 * keeps running after Nx stops (it is shared by every later run), and says so.
 */
export const INFRA_RECORD = 'infra-started.json';

export interface StartedRecord {
  name: 'postgres' | 'redis';
  /** HYPERNODE_STACK of the `npm start` run that started it; null for a bare Nx run. */
  stack: string | null;
  at: string;
}

const STOPPERS: Record<StartedRecord['name'], (stateDir: string) => Promise<void>> = {
  postgres: (dir) => stopLocalPostgres(dir),
  redis: (dir) => stopLocalRedis(dir, 3_000),
};

function recordPath(root: string): string {
  return join(root, STATE_DIR, INFRA_RECORD);
}

export function readStartedInfra(root: string): StartedRecord[] {
  if (!existsSync(recordPath(root))) return [];
  try {
    const value = JSON.parse(readFileSync(recordPath(root), 'utf8')) as unknown;
    return Array.isArray(value) ? (value as StartedRecord[]).filter((r) => r.name in STOPPERS) : [];
  } catch {
    return []; // a damaged record: nothing trustworthy to stop
  }
}

function writeStartedInfra(root: string, records: StartedRecord[]): void {
  if (records.length === 0) rmSync(recordPath(root), { force: true });
  else {
    // No secret in it, and the folder must stay traversable: as root, a local PostgreSQL runs as
    // the postgres user with its data under .hypernode/.
    mkdirSync(join(root, STATE_DIR), { recursive: true });
    writeFileSync(recordPath(root), JSON.stringify(records));
  }
}

/** Notes (before starting it, so an interrupted start is still stopped) that `name` is being started. */
export function recordStarting(root: string, name: StartedRecord['name'], stack: string | null): void {
  const others = readStartedInfra(root).filter((r) => r.name !== name);
  writeStartedInfra(root, [...others, { name, stack, at: new Date().toISOString() }]);
}

/** Stops what the record lists (only one stack's, when `stack` is given) and forgets it; returns the names stopped. */
export async function stopStartedInfra(root: string, log: (line: string) => void, stack?: string): Promise<string[]> {
  const records = readStartedInfra(root);
  const mine = records.filter((r) => stack === undefined || r.stack === stack);
  const stopped: string[] = [];
  for (const r of [...mine].reverse()) {
    try {
      await STOPPERS[r.name](join(root, STATE_DIR));
      stopped.push(r.name);
    } catch (error) {
      log(`${r.name}: ${(error as Error).message}`);
    }
  }
  writeStartedInfra(root, records.filter((r) => !mine.includes(r)));
  return stopped;
}
