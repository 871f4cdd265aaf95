// Reads the Vitest JSON reports `npm test` collects (tmp/test-reports/<project>.json), each file
// once: which projects have none (a crashed or stopped run, repeated once by run-tests.mjs),
// which did not succeed, and the closing counts. Plain ESM: run-tests.mjs runs on bare Node
// before anything else (it imports this file by path); its spec is test-reports.spec.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Projects among `projects` with no report in `dir`. */
export function unreportedProjects(dir, projects) {
  return projects.filter((project) => !existsSync(join(dir, `${project}.json`)));
}

/** The first failures get their reason's head and tail (a timeout's message carries the output it saw), the rest one line. */
const DETAILED_FAILURES = 3;
const DETAIL_LINES = 30;

/**
 * A failure's reason for the end of the CI log, which may be all that is kept of it: the message's
 * lines before its stack, without colour codes, at most `max` of them (the first third and the
 * last two thirds when longer, with a line saying how many were left out), each cut to 240 characters.
 */
export function reasonLines(message, max) {
  // eslint-disable-next-line no-control-regex
  const plain = message.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const stackAt = plain.findIndex((l) => /^\s+at /.test(l));
  const lines = (stackAt === -1 ? plain : plain.slice(0, stackAt)).filter((l) => l.trim()).map((l) => l.slice(0, 240));
  if (lines.length <= max) return lines;
  if (max === 1) return lines.slice(0, 1);
  const head = Math.ceil(max / 3);
  const tail = max - head - 1;
  return [...lines.slice(0, head), `… ${lines.length - head - tail} lines left out …`, ...lines.slice(-tail)];
}

/**
 * Every report of `projects` in `dir`, parsed once: `passed`/`failed` (the runners' own counts),
 * `missing` (no report), `unsuccessful` (a report without `success: true`, or one that is not
 * JSON: a run cut off while writing), `failures` (each failed test by name with its reason — reasonLines —, for the
 * end of the log) and `durations` (each project's spec time). `root` is cut from the spec paths.
 */
export function summarizeReports(dir, projects, root = '') {
  const summary = { passed: 0, failed: 0, missing: [], unsuccessful: [], failures: [], durations: [] };
  for (const project of projects) {
    const file = join(dir, `${project}.json`);
    if (!existsSync(file)) {
      summary.missing.push(project);
      continue;
    }
    let report;
    try {
      report = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      summary.unsuccessful.push(project);
      continue;
    }
    if (report.success !== true) summary.unsuccessful.push(project);
    summary.passed += report.numPassedTests ?? 0;
    summary.failed += report.numFailedTests ?? 0;
    let ms = 0;
    for (const suite of report.testResults ?? []) {
      ms += Math.max(0, (suite.endTime ?? 0) - (suite.startTime ?? 0));
      for (const test of suite.assertionResults ?? []) {
        if (test.status !== 'failed') continue;
        const why = reasonLines(String(test.failureMessages?.[0] ?? ''), summary.failures.length < DETAILED_FAILURES ? DETAIL_LINES : 1);
        summary.failures.push(`  ${String(suite.name).replace(`${root}/`, '')} > ${test.fullName}\n${why.map((l) => `      ${l}`).join('\n')}`);
      }
    }
    summary.durations.push(`${project} ${Math.round(ms / 1000)} s`);
  }
  return summary;
}
