/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values: a round produced no sample');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError(`p${p} of no values: nothing was measured`);
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Runs the subjects alternately, A B A B …, for `rounds` rounds (so drift on a noisy machine
 * hits both alike) and returns each subject's samples in order, plus their medians.
 */
export async function alternate<K extends string>(rounds: number, subjects: Record<K, () => Promise<number>>): Promise<Record<K, { samples: number[]; median: number }>> {
  const keys = Object.keys(subjects) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) for (const k of keys) samples[k].push(await subjects[k]());
  return Object.fromEntries(keys.map((k) => [k, { samples: samples[k], median: median(samples[k]) }])) as Record<K, { samples: number[]; median: number }>;
}
