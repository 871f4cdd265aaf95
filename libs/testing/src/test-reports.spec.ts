import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reasonLines, summarizeReports, unreportedProjects } from './test-reports.mjs';

// What `npm test` (tools/scripts/run-tests.mjs) decides from the Vitest JSON reports: which
// project runs once more, whether the tests passed, and the closing `N passed, N failed`.
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function reportsDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'test-reports-'));
  dirs.push(dir);
  for (const [project, report] of Object.entries(files)) writeFileSync(join(dir, `${project}.json`), typeof report === 'string' ? report : JSON.stringify(report));
  return dir;
}

const suite = (name: string, tests: Array<[string, 'passed' | 'failed', string?]>, ms = 2_000) => ({
  name: `/repo/${name}`,
  startTime: 1_000,
  endTime: 1_000 + ms,
  assertionResults: tests.map(([fullName, status, message]) => ({ fullName, status, failureMessages: message ? [message] : [] })),
});

describe('npm test reads the Vitest reports', () => {
  it('names each project without a report, so it runs once more', () => {
    const dir = reportsDir({ api: { success: true, numPassedTests: 1, numFailedTests: 0 } });
    expect(unreportedProjects(dir, ['api', 'automation', 'cli'])).toEqual(['automation', 'cli']);
  });

  it('adds up the runners own counts, and lists the failed tests by file and name with the first line of the reason', () => {
    const dir = reportsDir({
      api: { success: true, numPassedTests: 3, numFailedTests: 0, testResults: [suite('apps/api/test/a.spec.ts', [['a', 'passed'], ['b', 'passed'], ['c', 'passed']], 4_000)] },
      cli: { success: false, numPassedTests: 1, numFailedTests: 1, testResults: [suite('tools/cli/test/s.spec.ts', [['stack starts', 'failed', 'AssertionError: expected 1 to be 0\n    at …'], ['ok', 'passed']])] },
    });
    const summary = summarizeReports(dir, ['api', 'cli'], '/repo');
    expect(summary).toMatchObject({ passed: 4, failed: 1, missing: [], unsuccessful: ['cli'], durations: ['api 4 s', 'cli 2 s'] });
    expect(summary.failures).toEqual(['  tools/cli/test/s.spec.ts > stack starts\n      AssertionError: expected 1 to be 0']);
  });

  it('counts a project with no report as missing and a report cut off mid-write as unsuccessful, without throwing', () => {
    const dir = reportsDir({ api: '{"success": true, "numPassedTests": 2', realtime: { success: true, numPassedTests: 2, numFailedTests: 0 } });
    const summary = summarizeReports(dir, ['api', 'realtime', 'automation']);
    expect(summary).toMatchObject({ passed: 2, failed: 0, missing: ['automation'], unsuccessful: ['api'] });
  });

  it("gives the first failures their reason's lines before the stack (head and tail when long, colour codes gone), the rest one line", () => {
    const long = ['Error: timed out after 300000 ms waiting for every app ready', 'last /services:', ...Array.from({ length: 50 }, (_, i) => `\u001b[32mline ${i}\u001b[39m`), '    at until (s.spec.ts:28:5)', '    at run (x.js:1:1)'].join('\n');
    const lines = reasonLines(long, 30);
    expect(lines).toHaveLength(30);
    expect(lines.slice(0, 3)).toEqual(['Error: timed out after 300000 ms waiting for every app ready', 'last /services:', 'line 0']);
    expect(lines[10]).toBe('… 23 lines left out …');
    expect(lines.at(-1)).toBe('line 49');
    expect(lines.join('\n')).not.toContain('\u001b');
    expect(lines.join('\n')).not.toContain('at until');
    expect(reasonLines('AssertionError: expected 1 to be 0\n    at …', 30)).toEqual(['AssertionError: expected 1 to be 0']);
    expect(reasonLines(long, 1)).toEqual(['Error: timed out after 300000 ms waiting for every app ready']);
    expect(reasonLines('x'.repeat(500), 30)[0]).toHaveLength(240);

    const failing = Array.from({ length: 5 }, (_, i): [string, 'failed', string] => [`t${i}`, 'failed', `Error ${i}\ndetail ${i}`]);
    const dir = reportsDir({ cli: { success: false, numPassedTests: 0, numFailedTests: 5, testResults: [suite('tools/cli/test/s.spec.ts', failing)] } });
    const { failures } = summarizeReports(dir, ['cli'], '/repo');
    expect(failures[2]).toBe('  tools/cli/test/s.spec.ts > t2\n      Error 2\n      detail 2');
    expect(failures[3]).toBe('  tools/cli/test/s.spec.ts > t3\n      Error 3');
  });

  it('does not count a run that reported failure as a pass even with no failed test (a suite that crashed at import)', () => {
    const dir = reportsDir({ automation: { success: false, numPassedTests: 0, numFailedTests: 0, testResults: [] } });
    expect(summarizeReports(dir, ['automation']).unsuccessful).toEqual(['automation']);
  });
});
