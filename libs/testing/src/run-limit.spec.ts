import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLimitSeconds } from './run-limit.js';

const ROOT = resolve(import.meta.dirname, '../../..');
mkdirSync(join(ROOT, 'tmp'), { recursive: true });
const dir = mkdtempSync(join(ROOT, 'tmp', 'run-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `vitest run` of one spec file with this global setup, as a separate process; its exit code, output and wall time. */
function vitestRun(spec: string, limit: string) {
  writeFileSync(join(dir, 'x.spec.ts'), spec);
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    `export default { test: { include: ['x.spec.ts'], pool: 'forks', testTimeout: 120000, globalSetup: [${JSON.stringify(join(import.meta.dirname, 'run-limit.ts'))}] } };\n`,
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs')], {
    env: { ...env, HYPERNODE_TEST_RUN_LIMIT_S: limit, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}`, ms: Date.now() - started };
}

describe('the whole-run limit (Vitest global setup)', () => {
  it('reads HYPERNODE_TEST_RUN_LIMIT_S, defaults to 20 minutes, and refuses a bad value naming it', () => {
    expect(runLimitSeconds({})).toBe(1200);
    expect(runLimitSeconds({ HYPERNODE_TEST_RUN_LIMIT_S: '90' })).toBe(90);
    expect(() => runLimitSeconds({ HYPERNODE_TEST_RUN_LIMIT_S: '5m' })).toThrow(/HYPERNODE_TEST_RUN_LIMIT_S="5m" is not valid: give a whole number of seconds/);
    expect(() => runLimitSeconds({ HYPERNODE_TEST_RUN_LIMIT_S: '0' })).toThrow(/"0" is not valid/);
  });

  it('ends a run that outlasts it with exit 1 and a message naming the project, and lets a short run end at once', () => {
    const hung = vitestRun(`import { it } from 'vitest';\nit('waits forever', () => new Promise(() => {}));\n`, '3');
    expect(hung.status, hung.output).toBe(1);
    expect(hung.output).toContain(`vitest run of ${dir} stopped: still running after 3 s`);
    expect(hung.ms).toBeLessThan(60_000);

    const quick = vitestRun(`import { expect, it } from 'vitest';\nit('passes', () => expect(1).toBe(1));\n`, '60');
    expect(quick.status, quick.output).toBe(0);
    expect(quick.ms, 'the limit timer must not keep a finished run alive').toBeLessThan(45_000);
  }, 120_000);
});
