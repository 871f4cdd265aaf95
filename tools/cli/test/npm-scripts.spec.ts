import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The small npm scripts in tools/scripts take environment variables, not flags: a stray flag or a
// bad BENCH_RUNS is refused by name (exit 2) before any work, instead of being silently ignored.
const root = join(import.meta.dirname, '..', '..', '..');

describe('npm run bench:ports, bench:port-taken, ci:affected: bad input', () => {
  it.each([
    ['bench-ports.mjs', ['--runs', '3'], {}, /^bench:ports: takes no arguments \(got "--runs" "3"\); set BENCH_RUNS=N/],
    ['bench-port-taken.mjs', ['fast'], {}, /^bench:port-taken: takes no arguments \(got "fast"\)/],
    ['ci-affected.mjs', ['--base', 'main'], {}, /^ci:affected: takes no arguments .*set NX_BASE=<commit or branch>/],
    ['bench-ports.mjs', [], { BENCH_RUNS: 'x' }, /^bench:ports: BENCH_RUNS="x" is not a whole number 1–1000: unset it \(default 15\)/],
    ['bench-port-taken.mjs', [], { BENCH_RUNS: '0' }, /^bench:port-taken: BENCH_RUNS="0" is not a whole number/],
  ])('%s %j %j is refused, naming the value and the fix', (script, args, env, message) => {
    const result = spawnSync(process.execPath, [join(root, 'tools', 'scripts', script), ...args], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
