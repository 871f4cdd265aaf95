import { describe, expect, it } from 'vitest';
import { renderChart } from '../src/lib/chart.js';
import { toFigure } from '../src/lib/figure.js';
import { markdownTable, type Results } from '../src/lib/report.js';
import { BenchUsageError, parseRequest, usage } from '../src/lib/runner.js';
import { alternate, median, percentile } from '../src/lib/stats.js';

const s = (median: number) => ({ samples: [median], median });

describe('stats', () => {
  it('median and nearest-rank percentile', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(() => median([])).toThrow(/no sample/);
  });

  it('alternates the subjects A B A B', async () => {
    const order: string[] = [];
    const r = await alternate(3, { a: async () => (order.push('a'), 1), b: async () => (order.push('b'), 2) });
    expect(order.join('')).toBe('ababab');
    expect(r.b).toEqual({ samples: [2, 2, 2], median: 2 });
  });
});

describe('toFigure', () => {
  it('judges a ratio target and an absolute one', () => {
    expect(toFigure({ name: 'x', unit: 'req/s', ours: s(80), baseline: { name: 'b', ...s(100) }, target: { on: 'ratio', op: '>=', value: 0.8 } })).toMatchObject({ ratio: 0.8, pass: true, target: 'ratio ≥ 0.8' });
    expect(toFigure({ name: 'x', unit: 'req/s', ours: s(79), baseline: { name: 'b', ...s(100) }, target: { on: 'ratio', op: '>=', value: 0.8 } }).pass).toBe(false);
    expect(toFigure({ name: 'p99', unit: 'ms', ours: s(21), baseline: { name: 'ws', ...s(4) }, target: { on: 'ours', op: '<=', value: 20 } })).toMatchObject({ pass: false, target: '≤ 20 ms' });
    expect(toFigure({ name: 'rss', unit: 'MB', ours: s(90) })).toMatchObject({ baseline: null, ratio: null, pass: null });
  });
});

describe('report', () => {
  const results: Results = {
    startedAt: '2025-01-01T00:00:00.000Z',
    command: 'npm run bench',
    smoke: false,
    rounds: 3,
    figures: [toFigure({ name: 'api GET /health', unit: 'req/s', ours: s(9000), baseline: { name: 'bare Fastify', ...s(10000) }, target: { on: 'ratio', op: '>=', value: 0.8 } })],
    machine: { cpus: 2, cpuModel: 'cpu', memoryGb: 4, kernel: 'k', node: 'v20', loadStart: [1, 1, 1], loadEnd: [1, 1, 1] },
  };

  it('writes a markdown row per figure with PASS/MISS', () => {
    expect(markdownTable(results)).toContain('| api GET /health | 9,000 req/s | 10,000 req/s (bare Fastify) | 0.9 | ratio ≥ 0.8 | PASS |');
    expect(markdownTable({ ...results, void: '3 non-2xx' })).toContain('VOID RUN: 3 non-2xx');
  });

  it('renders the chart to SVG with vega-lite, one bar per figure', async () => {
    const svg = await renderChart(results);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('api GET /health');
  });
});

describe('parseRequest', () => {
  const benches = [{ name: 'api', description: '', run: async () => [] }];
  it('defaults to every figure, 3 rounds; smoke to 1 round and a scratch folder', () => {
    expect(parseRequest([], benches, '/r')).toEqual({ names: ['api'], smoke: false, rounds: 3, outDir: '/r/bench/results' });
    expect(parseRequest(['api', '--smoke'], benches, '/r')).toMatchObject({ rounds: 1, outDir: '/r/tmp/bench-smoke' });
  });
  it('refuses an unknown figure naming the valid ones', () => {
    expect(() => parseRequest(['nope'], benches, '/r')).toThrow(BenchUsageError);
    expect(() => parseRequest(['nope'], benches, '/r')).toThrow(/choose from api/);
  });
  it('refuses an unknown flag or a flag without its value, naming it and the valid flags; --help asks for the usage', () => {
    expect(() => parseRequest(['--fast'], benches, '/r')).toThrow(BenchUsageError);
    expect(() => parseRequest(['--fast'], benches, '/r')).toThrow(/'--fast'.*valid flags are --smoke, --rounds N/);
    expect(() => parseRequest(['--rounds'], benches, '/r')).toThrow(/--rounds.*argument missing/);
    expect(() => parseRequest(['--rounds', 'x'], benches, '/r')).toThrow(/--rounds x: expected a whole number/);
    expect(parseRequest(['--help'], benches, '/r')).toBeNull();
    expect(usage(benches)).toMatch(/figures \(none = all\):\n {2}api/);
  });
});
