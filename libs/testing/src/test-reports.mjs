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

/**
 * Every report of `projects` in `dir`, parsed once: `passed`/`failed` (the runners' own counts),
 * `missing` (no report), `unsuccessful` (a report without `success: true`, or one that is not
 * JSON: a run cut off while writing), `failures` (one line per failed test, for the end of the
 * log) and `durations` (each project's spec time). `root` is cut from the spec paths.
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
        const why = String(test.failureMessages?.[0] ?? '').split('\n').find((l) => l.trim()) ?? '';
        summary.failures.push(`  ${String(suite.name).replace(`${root}/`, '')} > ${test.fullName}\n      ${why.slice(0, 300)}`);
      }
    }
    summary.durations.push(`${project} ${Math.round(ms / 1000)} s`);
  }
  return summary;
}
