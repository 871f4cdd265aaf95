/** What a figure is held to: its ratio to the baseline, or its own value, against a bound. */
export interface Target {
  on: 'ratio' | 'ours';
  op: '>=' | '<=';
  value: number;
}

/** One measured figure: ours beside its baseline from the same run. */
export interface Figure {
  name: string;
  /** The bench (script) that measured it: `npm run bench -- <bench>` measures it again. */
  bench?: string;
  /** Unit of `ours` and `baseline` (req/s, ms, MB, …). */
  unit: string;
  ours: number;
  baseline: number | null;
  /** What the baseline is (`bare Fastify hello`, `node -e 0`, …). */
  baselineName: string;
  /** ours ÷ baseline; null without a baseline. */
  ratio: number | null;
  /** Human-readable target, e.g. `ratio ≥ 0.8`; null when the figure is only printed. */
  target: string | null;
  targetSpec: Target | null;
  /** null when there is no target. */
  pass: boolean | null;
  /** Every sample behind the medians, and how many rounds. */
  samples: { ours: number[]; baseline: number[] };
  /** Why a target is out of reach here, or what else to know. */
  note?: string;
}

/** A figure's measurements, before the target is applied. */
export interface Measured {
  name: string;
  unit: string;
  ours: { samples: number[]; median: number };
  baseline?: { name: string; samples: number[]; median: number };
  target?: Target;
  note?: string;
}

const SIGN = { '>=': '≥', '<=': '≤' } as const;

/** Human-readable target: `ratio ≥ 0.8` or `≤ 20 ms`. */
export function describeTarget(target: Target, unit: string): string {
  return target.on === 'ratio' ? `ratio ${SIGN[target.op]} ${target.value}` : `${SIGN[target.op]} ${target.value} ${unit}`;
}

/** Applies the target: ratio = ours ÷ baseline, pass when the chosen side is within the bound. */
export function toFigure(m: Measured): Figure {
  const ratio = m.baseline && m.baseline.median !== 0 ? m.ours.median / m.baseline.median : null;
  let pass: boolean | null = null;
  if (m.target) {
    const value = m.target.on === 'ratio' ? ratio : m.ours.median;
    pass = value === null || !Number.isFinite(value) ? false : m.target.op === '>=' ? value >= m.target.value : value <= m.target.value;
  }
  return {
    name: m.name,
    unit: m.unit,
    ours: round(m.ours.median),
    baseline: m.baseline ? round(m.baseline.median) : null,
    baselineName: m.baseline?.name ?? '—',
    ratio: ratio === null ? null : Math.round(ratio * 1000) / 1000,
    target: m.target ? describeTarget(m.target, m.unit) : null,
    targetSpec: m.target ?? null,
    pass,
    samples: { ours: m.ours.samples.map(round), baseline: (m.baseline?.samples ?? []).map(round) },
    ...(m.note ? { note: m.note } : {}),
  };
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100);

/** A measurement that must not count: a non-2xx answer, a lost event. The whole run is void. */
export class VoidRunError extends Error {
  readonly code = 'E_BENCH_VOID';
  constructor(figure: string, why: string) {
    super(`${figure}: run is void: ${why}`);
    this.name = 'VoidRunError';
  }
}

/** Options every bench gets from the runner. */
export interface BenchOptions {
  /** Tiny size: proves the script runs, measures nothing worth reading. */
  smoke: boolean;
  /** Alternating rounds (≥ 3 for real figures). */
  rounds: number;
  /** Where services write their logs. */
  logDir: string;
  log: (line: string) => void;
}

/** One bench script: measures one or more figures. */
export interface Bench {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<Measured[]>;
}
