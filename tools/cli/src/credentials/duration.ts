import { InvalidArgumentError } from 'commander';

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/**
 * Parses a duration flag (`90s`, `15m`, `12h`, `30d`, `2w`) into seconds. Throws commander's
 * InvalidArgumentError (printed as "error: option '--expires <duration>' argument '…' is invalid. …").
 */
export function parseDuration(value: string): number {
  const match = /^([1-9]\d{0,5})([smhdw])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a whole number and a unit s, m, h, d or w, e.g. 30d or 12h');
  return Number(match[1]) * UNIT_S[match[2]!]!;
}

/** Parses a positive whole number flag (`--uses 10`). */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('expected a whole number 1–1000000');
  return n;
}
