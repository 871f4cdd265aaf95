// Vitest global setup (it runs in the main `vitest run` process): a limit on the whole run.
//
// Why hand-written: Vitest has per-test and per-hook timeouts but no limit on a run, and its main
// process waits forever for a fork that dies while starting — seen in CI, where a fork could not
// resolve one of Vitest's own packages and `vitest run` then sat for 83 minutes until CI's own limit
// stopped everything (reproduced: a spec that removes node_modules/@vitest/spy from a copy of Vitest
// makes the next forks die at import, and the run never ends). Past the limit this names the project
// and the likely cause and exits 1 without a report, so `npm test` sees the project fail.
import type { TestProject } from 'vitest/node';

const DEFAULT_LIMIT_S = 1200;

/** The run limit in seconds: HYPERNODE_TEST_RUN_LIMIT_S, else 20 minutes (the longest project takes ~5 in CI). */
export function runLimitSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HYPERNODE_TEST_RUN_LIMIT_S;
  if (raw === undefined || raw === '') return DEFAULT_LIMIT_S;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`HYPERNODE_TEST_RUN_LIMIT_S="${raw}" is not valid: give a whole number of seconds (at least 1), or unset it for the default ${DEFAULT_LIMIT_S}`);
  }
  return value;
}

export default function setup(project: TestProject): () => void {
  const limit = runLimitSeconds();
  const dir = project.config.dir ?? project.config.root;
  const timer = setTimeout(() => {
    process.stderr.write(
      `\nvitest run of ${dir} stopped: still running after ${limit} s (HYPERNODE_TEST_RUN_LIMIT_S). ` +
        'Vitest waits forever for a test worker that died while starting: look above for a worker error ' +
        '(e.g. ERR_MODULE_NOT_FOUND from vitest/dist/workers); no report is written for this run.\n',
    );
    process.exit(1);
  }, limit * 1000);
  timer.unref();
  return () => clearTimeout(timer);
}
