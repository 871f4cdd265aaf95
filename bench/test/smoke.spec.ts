import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCHES } from '../src/figures/index.js';
import type { Results } from '../src/lib/report.js';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// The smoke size of every bench script, all in ONE `npm run bench -- --smoke` (as a person runs
// the whole bench: the Node apps are built once, not once per script): each script ran, and wrote
// well-formed figures of its own into the run's results. Never timed.
let run: SpawnSyncReturns<string>;
let results: Results;
beforeAll(() => {
  // Bounded; cold-start starts the whole stack even at the smoke size, so the run gets many minutes.
  run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], { cwd: root, encoding: 'utf8', timeout: 1_500_000 });
  if (!existsSync(join(out, 'latest.json'))) throw new Error(`npm run bench -- --smoke wrote no results (${run.error?.message ?? `exit ${run.status}`}):\n${run.stdout}\n${run.stderr}`);
  results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Results;
}, 1_560_000);

describe.each(BENCHES.map((b) => b.name))('npm run bench -- --smoke: %s', (name) => {
  it('runs and writes results (json, markdown, svg) with every figure well-formed', () => {
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output, output).toContain(`== ${name}: `);
    expect(output, output).not.toContain(`FAILED: ${name}: `);
    const figures = results.figures.filter((f) => f.bench === name);
    expect(figures.length, `no figure of ${name} in ${join(out, 'latest.json')}:\n${output}`).toBeGreaterThan(0);
    for (const f of figures) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['name', 'ours', 'baseline', 'ratio', 'target', 'pass']));
      expect(Number.isFinite(f.ours), `${f.name}: ours ${f.ours}`).toBe(true);
      // The ratio is taken before ours and the baseline are rounded for display: equal within 1 % (a tiny smoke baseline makes ratios of 50+).
      if (f.baseline !== null) expect(Math.abs((f.ratio ?? Number.NaN) - f.ours / f.baseline), `${f.name}: ratio ${f.ratio} vs ${f.ours} / ${f.baseline}`).toBeLessThanOrEqual(Math.max(0.01 * (f.ours / f.baseline), 0.01));
      expect(run.stdout).toContain(`${f.name}: `);
      expect(readFileSync(join(out, 'latest.md'), 'utf8')).toContain(`| ${f.name} |`);
    }
  });
});

describe('npm run bench -- --smoke, the whole run', () => {
  it('exits 0, is not void, and writes the machine, the markdown table and the SVG chart', () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(results.void).toBeUndefined();
    expect(results.smoke).toBe(true);
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'latest.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});
