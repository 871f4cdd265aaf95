import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm run test:faults -- …`: a bad command line is refused by name (exit 2, no stack trace)
// before any PostgreSQL or Redis is started.
const root = join(import.meta.dirname, '..', '..', '..');
const faults = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'apps', 'faults', 'src', 'run.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('npm run test:faults: its command line', () => {
  it.each([
    [['--fast'], /^Unknown option '--fast': valid flags are --size small\|full and --help/],
    [['--size'], /^Option '--size <value>' argument missing: valid flags are/],
    [['--size', 'huge'], /^--size huge is not valid: use small or full/],
    [['no-such-scenario'], /^unknown scenario no-such-scenario: use .*replay-rss/],
  ])('refuses %j naming the value and the valid choices', (args, message) => {
    const result = faults(...args);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
  it('prints its help with every scenario', () => {
    const result = faults('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--size small\|full/);
    expect(result.stdout).toMatch(/^ {2}replay-rss /m);
  });
});
