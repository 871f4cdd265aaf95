import { stripVTControlCharacters } from 'node:util';
import type { LogLevel, LogLine } from '@hypernode/events';

/** Pino's numeric levels by name (10 trace … 60 fatal). */
const PINO_LEVELS: Record<number, LogLevel> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVEL_NAMES = new Set<string>(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
/** Pino fields that become LogLine's own properties (or mean nothing to a reader). */
const OWN_FIELDS = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'v']);

/** A pino level (number, or a label when a formatter wrote one) → name; undefined when not a level. */
export function pinoLevel(value: unknown): LogLevel | undefined {
  if (typeof value === 'number') {
    // Custom levels between the standard ones round down to the nearest standard level.
    const step = Math.min(60, Math.max(10, Math.floor(value / 10) * 10));
    return PINO_LEVELS[step];
  }
  if (typeof value === 'string' && LEVEL_NAMES.has(value.toLowerCase())) return value.toLowerCase() as LogLevel;
  return undefined;
}

/** What a line says about itself, before the store gives it a seq. */
export type ParsedLine = Omit<LogLine, 'seq' | 'service' | 'run'>;

function parseJson(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses one output line: pino JSON (an object with a pino `level`) gives time, level, msg,
 * trace id and the other fields; anything else is kept verbatim (ANSI escapes too, the client
 * renders them) at `info`, or `warn` on stderr — unless a plain line starts with its own level
 * word (`ERROR …`, `[warn] …`, `Error: …`), which is more honest than the stream it came on.
 */
export function parseLine(raw: string, stream: 'stdout' | 'stderr', readAt: number): ParsedLine {
  const json = parseJson(stripVTControlCharacters(raw));
  const level = json && pinoLevel(json.level);
  if (json && level) {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) if (!OWN_FIELDS.has(k)) fields[k] = v;
    const traceId = typeof json.trace_id === 'string' ? json.trace_id : typeof json.traceId === 'string' ? json.traceId : undefined;
    const msg = typeof json.msg === 'string' ? json.msg : typeof json.message === 'string' ? json.message : json.err && typeof (json.err as { message?: unknown }).message === 'string' ? String((json.err as { message: string }).message) : '';
    if (msg === json.message) delete fields.message;
    const time = typeof json.time === 'number' && Number.isFinite(json.time) ? json.time : typeof json.time === 'string' && !Number.isNaN(Date.parse(json.time)) ? Date.parse(json.time) : readAt;
    return { time, level, message: msg, fields: Object.keys(fields).length > 0 ? fields : undefined, stream, ...(traceId ? { traceId } : {}) };
  }
  return { time: readAt, level: plainLevel(raw) ?? (stream === 'stderr' ? 'warn' : 'info'), message: raw, stream };
}

const PLAIN_LEVEL = /^\s*\[?(trace|debug|info|warn|warning|error|err|fatal)\]?(?::|\s)/i;

/** The level a plain line names at its start (`ERROR: …`, `[warn] …`, `Error: …`), if any. */
export function plainLevel(raw: string): LogLevel | undefined {
  const match = PLAIN_LEVEL.exec(stripVTControlCharacters(raw));
  if (!match) return undefined;
  const word = match[1]!.toLowerCase();
  if (word === 'warning') return 'warn';
  if (word === 'err') return 'error';
  return word as LogLevel;
}
