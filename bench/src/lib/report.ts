import { cpus, loadavg, totalmem, release } from 'node:os';
import type { Figure } from './figure.js';

/** The machine a run measured, so figures from two machines are never compared blindly. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  /** 1-, 5- and 15-minute load averages at the start and at the end of the run. */
  loadStart: number[];
  loadEnd: number[];
}

/** What bench/results/<date>.json and latest.json hold. */
export interface Results {
  startedAt: string;
  command: string;
  smoke: boolean;
  rounds: number;
  /** Set when the run does not count (a non-2xx answer, a lost event): why. */
  void?: string;
  figures: Figure[];
  machine: Machine;
}

/** The machine as it is now; call `finish` at the end for the closing load. */
export function describeMachine(): { machine: Machine; finish(): Machine } {
  const machine: Machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    loadStart: loadavg().map((l) => Math.round(l * 100) / 100),
    loadEnd: [],
  };
  return { machine, finish: () => ({ ...machine, loadEnd: loadavg().map((l) => Math.round(l * 100) / 100) }) };
}

const fmt = (n: number | null, unit = '') => (n === null ? '—' : `${n.toLocaleString('en-US', { maximumFractionDigits: 2 })}${unit ? ` ${unit}` : ''}`);
const verdict = (pass: boolean | null) => (pass === null ? '—' : pass ? 'PASS' : 'MISS');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The markdown table of a run: one row per figure, notes below. */
export function markdownTable(results: Results): string {
  const lines = [
    `# Benchmark ${results.startedAt}${results.smoke ? ' (smoke size: not a measurement)' : ''}`,
    '',
    `\`${results.command}\` — ${results.rounds} alternating round(s), medians; ${results.machine.cpus} × ${results.machine.cpuModel}, node ${results.machine.node}, load ${results.machine.loadStart.join(' / ')} at start, ${results.machine.loadEnd.join(' / ')} at end.`,
    '',
    ...(results.void ? [`**VOID RUN: ${results.void}**`, ''] : []),
    '| figure | ours | baseline | ratio | target | result |',
    '|---|---|---|---|---|---|',
    ...results.figures.map((f) => `| ${cell(f.name)} | ${fmt(f.ours, f.unit)} | ${f.baseline === null ? '—' : `${fmt(f.baseline, f.unit)} (${cell(f.baselineName)})`} | ${fmt(f.ratio)} | ${f.target ?? '—'} | ${verdict(f.pass)} |`),
  ];
  const notes = results.figures.filter((f) => f.note);
  if (notes.length > 0) lines.push('', ...notes.map((f) => `- **${cell(f.name)}:** ${cell(f.note!)}`));
  return `${lines.join('\n')}\n`;
}

/** One console line per figure: ours beside the baseline, the ratio and PASS/MISS. */
export function consoleLine(f: Figure): string {
  const base = f.baseline === null ? '' : ` | ${f.baselineName}: ${fmt(f.baseline, f.unit)} | ratio ${fmt(f.ratio)}`;
  return `${f.name}: ${fmt(f.ours, f.unit)}${base}${f.target ? ` | target ${f.target}: ${verdict(f.pass)}` : ''}`;
}
