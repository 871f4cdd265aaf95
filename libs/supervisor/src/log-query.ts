import { LOG_LEVELS, type LogLevel, type LogLine } from '@hypernode/events';

/** Longest `/regex/` the search accepts (a guard against pathological patterns). */
export const MAX_REGEX_LENGTH = 200;
export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 5_000;

/** A bad query parameter: the HTTP layer answers 400 with this message. */
export class LogQueryError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'LogQueryError';
  }
}

/** A validated log query. */
export interface LogFilter {
  /** Services to include; undefined = all. */
  services?: string[];
  /** Matches the message (and the raw fields as JSON). */
  match?: (line: LogLine) => boolean;
  /** Lowest level included. */
  level?: LogLevel;
  /** Only lines ordered before the line with this seq. */
  before?: number;
  limit: number;
}

/** Raw query-string values (as fastify gives them). */
export interface RawLogQuery {
  services?: string;
  q?: string;
  level?: string;
  limit?: string;
  before?: string;
}

const levelRank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

/** True when `line` is at `min` or above. */
export function atLeast(line: LogLine, min: LogLevel | undefined): boolean {
  return min === undefined || levelRank(line.level) >= levelRank(min);
}

/**
 * `q`: plain text (case-insensitive substring) or `/pattern/flags`; a regex is refused when it
 * does not compile or is longer than MAX_REGEX_LENGTH, naming it.
 */
export function compileSearch(q: string): ((line: LogLine) => boolean) | undefined {
  if (q === '') return undefined;
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(q);
  if (regex) {
    const [, source, flags] = regex as unknown as [string, string, string];
    if (source.length > MAX_REGEX_LENGTH) throw new LogQueryError(`regex /${source.slice(0, 40)}…/ is ${source.length} characters long: the search accepts at most ${MAX_REGEX_LENGTH}; shorten it or search plain text`);
    let re: RegExp;
    try {
      // `g`/`y` make test() stateful across lines; they mean nothing to a line filter.
      re = new RegExp(source, flags.replace(/[gy]/g, ''));
    } catch (error) {
      throw new LogQueryError(`q ${JSON.stringify(q)} is not a valid regex (${(error as Error).message}): fix the pattern, or search plain text without the surrounding slashes`);
    }
    return (line) => re.test(line.message) || (line.fields !== undefined && re.test(JSON.stringify(line.fields)));
  }
  const needle = q.toLowerCase();
  return (line) => line.message.toLowerCase().includes(needle) || (line.fields !== undefined && JSON.stringify(line.fields).toLowerCase().includes(needle));
}

function wholeNumber(name: string, value: string, min: number, max: number, hint: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new LogQueryError(`${name}=${JSON.stringify(value)} is not a whole number ${min}–${max}: ${hint}`);
  return n;
}

/** Validates a query string into a LogFilter; `known` names the services that exist. */
export function parseLogQuery(raw: RawLogQuery, known: readonly string[]): LogFilter {
  const filter: LogFilter = { limit: DEFAULT_LIMIT };
  if (raw.services !== undefined && raw.services !== '') {
    const services = [...new Set(raw.services.split(',').map((s) => s.trim()).filter(Boolean))];
    const unknown = services.filter((s) => !known.includes(s));
    if (unknown.length > 0) throw new LogQueryError(`unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => JSON.stringify(s)).join(', ')} in services: use any of ${known.join(', ')}`);
    filter.services = services;
  }
  if (raw.q !== undefined) filter.match = compileSearch(raw.q);
  if (raw.level !== undefined && raw.level !== '') {
    if (!(LOG_LEVELS as readonly string[]).includes(raw.level)) throw new LogQueryError(`level=${JSON.stringify(raw.level)} is not a log level: use one of ${LOG_LEVELS.join(', ')} (that level and above are shown)`);
    filter.level = raw.level as LogLevel;
  }
  if (raw.limit !== undefined) filter.limit = wholeNumber('limit', raw.limit, 1, MAX_LIMIT, `ask for 1–${MAX_LIMIT} lines (default ${DEFAULT_LIMIT})`);
  if (raw.before !== undefined) filter.before = wholeNumber('before', raw.before, 0, Number.MAX_SAFE_INTEGER, 'pass the seq of the oldest line you have (lines[0].seq)');
  return filter;
}
