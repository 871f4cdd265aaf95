import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULTS_TMP } from './harness/services.js';
import type { ScenarioResult } from './scenarios/types.js';

/** One line: name, figures as key=value, PASS/FAIL. */
export function formatLine(result: ScenarioResult): string {
  const figures = Object.entries(result.figures)
    .filter(([k, v]) => !(k === 'failed' && v === ''))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${result.name.padEnd(24)} ${figures}  ${result.pass ? 'PASS' : 'FAIL'}`;
}

/** Writes tmp/faults/report.json; returns its path. */
export function writeReport(results: ScenarioResult[], size: string): string {
  mkdirSync(FAULTS_TMP, { recursive: true });
  const file = join(FAULTS_TMP, 'report.json');
  writeFileSync(file, `${JSON.stringify({ size, at: new Date().toISOString(), scenarios: results }, null, 2)}\n`);
  return file;
}
