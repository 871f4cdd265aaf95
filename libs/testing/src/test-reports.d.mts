/** Types of test-reports.mjs (plain ESM, run on bare Node by run-tests.mjs). */
export interface ReportSummary {
  passed: number;
  failed: number;
  missing: string[];
  unsuccessful: string[];
  failures: string[];
  durations: string[];
}
export function unreportedProjects(dir: string, projects: readonly string[]): string[];
export function summarizeReports(dir: string, projects: readonly string[], root?: string): ReportSummary;
export function reasonLines(message: string, max: number): string[];
