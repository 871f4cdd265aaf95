import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Results } from './report.js';

/**
 * The vega-lite spec of a run: one bar per figure with a baseline — ours ÷ baseline — coloured
 * PASS / MISS / no target, with the target ratio as a tick where the target is a ratio.
 */
export function chartSpec(results: Results): TopLevelSpec {
  const values = results.figures
    .filter((f) => f.ratio !== null)
    .map((f) => ({
      figure: f.name,
      ratio: f.ratio,
      result: f.pass === null ? 'no target' : f.pass ? 'PASS' : 'MISS',
      target: f.targetSpec?.on === 'ratio' ? f.targetSpec.value : null,
      label: `${f.ours.toLocaleString('en-US')} vs ${f.baseline?.toLocaleString('en-US')} ${f.unit}`,
    }));
  const y = { field: 'figure', type: 'nominal', sort: null, title: null, axis: { labelLimit: 360 } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Hypernode benchmark ${results.startedAt}${results.smoke ? ' (smoke)' : ''}${results.void ? ' — VOID' : ''}`, subtitle: `ours ÷ baseline, same run; ${results.rounds} alternating round(s), medians; load ${results.machine.loadStart[0]} → ${results.machine.loadEnd[0]}; tick = target ratio` },
    width: 420,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y,
          x: { field: 'ratio', type: 'quantitative', title: 'ours ÷ baseline' },
          color: { field: 'result', type: 'nominal', scale: { domain: ['PASS', 'MISS', 'no target'], range: ['#2e7d32', '#c62828', '#9e9e9e'] }, title: null },
        },
      },
      { mark: { type: 'tick', color: 'black', thickness: 2 }, encoding: { y, x: { field: 'target', type: 'quantitative' } } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y, x: { field: 'ratio', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  } as TopLevelSpec;
}

/** Renders the chart to an SVG string with vega's headless view (no canvas). */
export async function renderChart(results: Results): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(results)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
