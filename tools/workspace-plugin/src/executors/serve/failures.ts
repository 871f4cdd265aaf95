import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Nx 23.2.1 reports a continuous task that exits on its own as success (`nx run api:serve`
 * with port 3002 held exits 0; nrwl/nx fixed it after 23.3, in a release this registry does
 * not serve). So the serve executor writes down every app that fails, and the plugin's
 * `postTasksExecution` hook turns those records into a failed Nx command (exit 1).
 * Records are matched to the Nx run that started them by the id `preTasksExecution` hands
 * every task in RUN_ID_ENV.
 */
export const SERVE_FAILURES_DIR = 'tmp/serve-failures';
/** Environment variable carrying the Nx run's id into every task it starts. */
export const RUN_ID_ENV = 'HYPERNODE_NX_RUN';

/** One app that exited on its own with a failure. */
export interface ServeFailure {
  run: string;
  task: string;
  code: number | null;
  signal: string | null;
  at: number;
}

function fileSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Writes one failure record (tmp/ is git-ignored). */
export function recordServeFailure(root: string, failure: ServeFailure): void {
  const dir = join(root, SERVE_FAILURES_DIR);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${fileSafe(failure.run)}-${fileSafe(failure.task)}-${process.pid}.json`), JSON.stringify(failure));
}

/** Reads and removes the failure records of one Nx run; records older than a day are swept too. */
export function takeServeFailures(root: string, run: string): ServeFailure[] {
  const dir = join(root, SERVE_FAILURES_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const mine: ServeFailure[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const failure = JSON.parse(readFileSync(path, 'utf8')) as ServeFailure;
      if (failure.run === run) mine.push(failure);
      if (failure.run === run || Date.now() - failure.at > 86_400_000) rmSync(path, { force: true });
    } catch {
      rmSync(path, { force: true }); // half-written or foreign: not ours to keep
    }
  }
  return mine.sort((a, b) => a.at - b.at);
}

/** How a failure reads in the Nx output. */
export function describeFailure(failure: ServeFailure): string {
  return `${failure.task} exited with ${failure.signal ? `signal ${failure.signal}` : `code ${failure.code}`} (see its output above)`;
}
