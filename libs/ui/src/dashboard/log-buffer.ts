import { LOG_LEVELS, type LogLevel, type LogLine } from '@hypernode/events';

/** A line the viewer shows: a service's log line, or a marker the person inserted (client-side only). */
export type ViewLine = (LogLine & { kind?: undefined }) | { kind: 'mark'; seq: number; time: number; label: string };

/** Client buffer cap: beyond it the oldest lines go (the server keeps its own capped buffer). */
export const CLIENT_LINE_CAP = 50_000;

/** Orders by time, then by the supervisor's sequence (lines of one read share a millisecond). */
export function compareLines(a: Pick<ViewLine, 'time' | 'seq'>, b: Pick<ViewLine, 'time' | 'seq'>): number {
  return a.time - b.time || a.seq - b.seq;
}

/** First index of the sorted `lines` whose line does not order before `line` (binary search). */
export function lowerBound(lines: readonly ViewLine[], line: Pick<ViewLine, 'time' | 'seq'>): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareLines(lines[mid]!, line) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merges `incoming` into the time-ordered `lines` IN PLACE and returns it: drops duplicates (a
 * line is its (time, seq): a page fetched while the stream already delivered some lines) and the
 * oldest lines beyond `cap`. Costs the batch's sort plus the lines it lands among, never the whole
 * buffer: lines that arrive in order are appended; lines of a service whose clock or pipe runs
 * behind (out of order by milliseconds) are merged with the short tail they belong in.
 */
export function mergeInto(lines: ViewLine[], incoming: readonly ViewLine[], cap = CLIENT_LINE_CAP): ViewLine[] {
  if (incoming.length === 0) return lines;
  const fresh = incoming.length === 1 ? incoming : incoming.slice().sort(compareLines);
  const at = lowerBound(lines, fresh[0]!);
  // The lines from where the batch starts: usually none (all newer), else a few milliseconds' worth.
  const tail = at === lines.length ? [] : lines.splice(at);
  let i = 0;
  let last: ViewLine | undefined = lines[lines.length - 1];
  const put = (line: ViewLine) => {
    if (last !== undefined && compareLines(last, line) === 0) return; // already shown
    lines.push(line);
    last = line;
  };
  for (const line of fresh) {
    while (i < tail.length && compareLines(tail[i]!, line) <= 0) put(tail[i++]!);
    put(line);
  }
  while (i < tail.length) put(tail[i++]!);
  if (lines.length > cap) lines.splice(0, lines.length - cap);
  return lines;
}

/** mergeInto on a copy: `lines` stays as it was (the same array back when `incoming` is empty). */
export function mergeLines(lines: readonly ViewLine[], incoming: readonly ViewLine[], cap = CLIENT_LINE_CAP): ViewLine[] {
  if (incoming.length === 0) return lines as ViewLine[];
  return mergeInto(lines.slice(), incoming, cap);
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
