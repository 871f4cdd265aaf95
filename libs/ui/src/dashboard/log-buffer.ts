import { LOG_LEVELS, type LogLevel, type LogLine } from '@hypernode/events';

/** A line the viewer shows: a service's log line, or a marker the person inserted (client-side only). */
export type ViewLine = (LogLine & { kind?: undefined }) | { kind: 'mark'; seq: number; time: number; label: string };

/** Client buffer cap: beyond it the oldest lines go (the server keeps its own capped buffer). */
export const CLIENT_LINE_CAP = 50_000;

/** Orders by time, then by the supervisor's sequence (lines of one read share a millisecond). */
export function compareLines(a: Pick<ViewLine, 'time' | 'seq'>, b: Pick<ViewLine, 'time' | 'seq'>): number {
  return a.time - b.time || a.seq - b.seq;
}

/**
 * Merges `incoming` into the time-ordered `lines` (both kept sorted), dropping duplicates by seq
 * (a page fetched while the stream already delivered some lines) and the oldest beyond `cap`.
 * The common case — every new line newer than the last shown — is a plain append.
 */
export function mergeLines(lines: ViewLine[], incoming: ViewLine[], cap = CLIENT_LINE_CAP): ViewLine[] {
  if (incoming.length === 0) return lines;
  const fresh = incoming.slice().sort(compareLines);
  const last = lines[lines.length - 1];
  let merged: ViewLine[];
  if (!last || compareLines(last, fresh[0]!) < 0) {
    merged = lines.concat(fresh);
  } else {
    const seen = new Set<number>();
    for (const l of lines) if (l.kind === undefined) seen.add(l.seq);
    const unseen = fresh.filter((l) => l.kind !== undefined || !seen.has(l.seq));
    merged = [];
    let i = 0;
    let j = 0;
    while (i < lines.length || j < unseen.length) {
      merged.push(j >= unseen.length || (i < lines.length && compareLines(lines[i]!, unseen[j]!) <= 0) ? lines[i++]! : unseen[j++]!);
    }
  }
  return merged.length > cap ? merged.slice(merged.length - cap) : merged;
}

/** Index of a level in LOG_LEVELS (trace 0 … fatal 5). */
export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

/** A search as the person typed it: `/re/flags` is a regular expression, anything else plain text (case-insensitive). */
export type Search = { kind: 'none' } | { kind: 'text'; text: string } | { kind: 'regex'; re: RegExp } | { kind: 'invalid'; error: string };

export function parseSearch(q: string): Search {
  const text = q.trim();
  if (!text) return { kind: 'none' };
  const m = /^\/(.+)\/([a-z]*)$/.exec(text);
  if (!m) return { kind: 'text', text: text.toLowerCase() };
  try {
    return { kind: 'regex', re: new RegExp(m[1]!, m[2]!.replace(/[gy]/g, '')) };
  } catch (e) {
    return { kind: 'invalid', error: `${text} is not a valid regular expression (${(e as Error).message}): fix it or search plain text without the slashes` };
  }
}

/** Text a search looks at: message and fields, ANSI escapes removed. */
export function searchableText(line: LogLine): string {
  // eslint-disable-next-line no-control-regex
  const message = line.message.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  return line.fields ? `${message} ${JSON.stringify(line.fields)}` : message;
}

/** The filters of the logs view; the server applies them to pages, the download and the stream alike. */
export interface LogFilter {
  services: string[];
  /** Minimum level shown; undefined = all. */
  level?: LogLevel;
  q: string;
}

/** The query string of `GET /logs` / `/logs/download` / `WS /logs/stream` for a filter. */
export function logQuery(filter: LogFilter, extra: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  if (filter.services.length > 0) params.set('services', filter.services.join(','));
  if (filter.level) params.set('level', filter.level);
  if (filter.q.trim()) params.set('q', filter.q.trim());
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** One plain-text line for the clipboard: time, service, level, message (ANSI removed), fields. */
export function lineAsText(line: LogLine): string {
  return `${new Date(line.time).toISOString()} ${line.service} ${line.level.toUpperCase()} ${searchableText(line)}`;
}
