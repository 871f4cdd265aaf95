import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { toFigure, VoidRunError, type Bench, type Figure } from './figure.js';
import { renderChart } from './chart.js';
import { consoleLine, describeMachine, markdownTable, type Results } from './report.js';

/** What `npm run bench -- …` asked for. */
export interface RunRequest {
  names: string[];
  smoke: boolean;
  rounds: number;
  outDir: string;
}

/** A bad command line: names the problem and the valid choices. */
export class BenchUsageError extends Error {
  readonly code = 'E_BENCH_USAGE';
}

/** `npm run bench -- --help`: the figures, the flags and what they default to. */
export function usage(benches: Bench[]): string {
  const width = Math.max(...benches.map((b) => b.name.length));
  return [
    'usage: npm run bench [-- <figure> …] [--smoke] [--rounds N] [--out DIR]',
    '',
    'Each figure beside its baseline measured in the same run (alternating rounds, medians, the ratio, PASS/MISS).',
    '',
    'figures (none = all):',
    ...benches.map((b) => `  ${b.name.padEnd(width)}  ${b.description}`),
    '',
    'flags:',
    '  --smoke     the tiny size `npm test` runs: proves each script runs, its figures mean nothing',
    '  --rounds N  alternating rounds per figure, 1–50 (default 3; 1 with --smoke)',
    '  --out DIR   where the results go (default bench/results; tmp/bench-smoke with --smoke)',
    '  --help      this text',
  ].join('\n');
}

const OPTIONS = { smoke: { type: 'boolean', default: false }, rounds: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', default: false } } as const;

/** Parses `[figure …] [--smoke] [--rounds N] [--out DIR]` against the known benches; `null` for `--help`. */
export function parseRequest(argv: string[], benches: Bench[], root: string): RunRequest | null {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // Node's message names the flag (`Unknown option '--x'`, `Option '--rounds <value>' argument missing`).
    throw new BenchUsageError(`${(error as Error).message.split('. ')[0]}: valid flags are --smoke, --rounds N, --out DIR, --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  const known = benches.map((b) => b.name);
  const unknown = positionals.filter((p) => !known.includes(p));
  if (unknown.length > 0) throw new BenchUsageError(`unknown figure ${unknown.join(', ')}: choose from ${known.join(', ')} (none = all)`);
  const smoke = values.smoke ?? false;
  const rounds = values.rounds === undefined ? (smoke ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new BenchUsageError(`--rounds ${values.rounds}: expected a whole number 1–50 (≥ 3 for figures worth reading)`);
  // A smoke run never overwrites the figures a real run wrote.
  const outDir = values.out ?? join(root, smoke ? 'tmp/bench-smoke' : 'bench/results');
  return { names: positionals.length > 0 ? positionals : known, smoke, rounds, outDir };
}

/**
 * Runs the chosen benches one after another, prints each figure beside its baseline, and
 * writes `<date>.json`, `latest.json`, `latest.md` and `latest.svg` to the output folder.
 * A void measurement (non-2xx, lost events) stops the run: the files say VOID and it exits 1.
 */
export async function runBenches(request: RunRequest, benches: Bench[], context: { root: string; command: string }): Promise<{ results: Results; exitCode: number }> {
  const startedAt = new Date().toISOString();
  const { machine, finish } = describeMachine();
  const logDir = join(context.root, 'tmp', 'bench', 'logs', startedAt.replace(/[:.]/g, '-'));
  const figures: Figure[] = [];
  let voided: string | undefined;
  let failed: string | undefined;
  console.log(`bench: ${request.names.join(', ')} — ${request.rounds} round(s)${request.smoke ? ', smoke size' : ''}; load ${machine.loadStart.join(' / ')}; service logs in ${logDir}`);
  for (const bench of benches.filter((b) => request.names.includes(b.name))) {
    console.log(`\n== ${bench.name}: ${bench.description}`);
    try {
      const measured = await bench.run({ smoke: request.smoke, rounds: request.rounds, logDir, log: (line) => console.log(`   ${line}`) });
      for (const m of measured) {
        const f = { ...toFigure(m), bench: bench.name };
        figures.push(f);
        console.log(`   ${consoleLine(f)}${f.note ? `\n     (${f.note})` : ''}`);
      }
    } catch (error) {
      if (error instanceof VoidRunError) {
        voided = error.message;
        console.error(`   VOID: ${error.message}`);
        break;
      }
      failed = `${bench.name}: ${(error as Error).message}`;
      console.error(`   FAILED: ${failed}`);
    }
  }
  const results: Results = { startedAt, command: context.command, smoke: request.smoke, rounds: request.rounds, ...(voided ? { void: voided } : failed ? { void: `a bench failed: ${failed}` } : {}), figures, machine: finish() };
  mkdirSync(request.outDir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(request.outDir, `${startedAt.slice(0, 19).replace(/:/g, '-')}.json`), json);
  writeFileSync(join(request.outDir, 'latest.json'), json);
  writeFileSync(join(request.outDir, 'latest.md'), markdownTable(results));
  writeFileSync(join(request.outDir, 'latest.svg'), await renderChart(results));
  const missed = figures.filter((f) => f.pass === false).length;
  console.log(`\n${figures.length} figures, ${figures.filter((f) => f.pass).length} PASS, ${missed} MISS${results.void ? `; VOID: ${results.void}` : ''} → ${join(request.outDir, 'latest.{json,md,svg}')}`);
  return { results, exitCode: results.void ? 1 : 0 };
}
