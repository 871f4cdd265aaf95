import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCHES } from '../src/figures/index.js';
import type { Results } from '../src/lib/report.js';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// The smoke size of every bench script: it runs, and writes well-formed results. Never timed.
describe.each(BENCHES.map((b) => b.name))('npm run bench -- %s --smoke', (name) => {
  it('runs and writes results (json, markdown, svg) with every figure well-formed', () => {
    const dir = join(out, name);
    // Bounded; cold-start starts the whole stack (twice) even at the smoke size, so it gets minutes.
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', name, '--smoke', '--out', dir], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as Results;
    expect(results.void).toBeUndefined();
    expect(results.figures.length).toBeGreaterThan(0);
    for (const f of results.figures) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['name', 'ours', 'baseline', 'ratio', 'target', 'pass']));
      expect(Number.isFinite(f.ours), `${f.name}: ours ${f.ours}`).toBe(true);
      // The ratio is taken before ours and the baseline are rounded for display: equal within 1 % (a tiny smoke baseline makes ratios of 50+).
      if (f.baseline !== null) expect(Math.abs((f.ratio ?? Number.NaN) - f.ours / f.baseline), `${f.name}: ratio ${f.ratio} vs ${f.ours} / ${f.baseline}`).toBeLessThanOrEqual(Math.max(0.01 * (f.ours / f.baseline), 0.01));
      expect(run.stdout).toContain(`${f.name}: `);
    }
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'latest.md'), 'utf8')).toContain(`| ${results.figures[0]!.name} |`);
    expect(readFileSync(join(dir, 'latest.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  }, 660_000);
});
