import type { LogLine, LogPage } from '@hypernode/events';
import { atLeast, type LogFilter } from './log-query.js';
import { parseLine } from './log-parse.js';
import { Ring } from './ring.js';

/** Lines kept per service, over all its runs (the cap). */
export const LINES_PER_SERVICE = 20_000;

interface ServiceBuffer {
  ring: Ring<LogLine>;
  dropped: number;
  errorCount: number;
  warnCount: number;
}

/** Orders lines by time, then seq (the combined view's order). */
export function compareLines(a: LogLine, b: LogLine): number {
  return a.time - b.time || a.seq - b.seq;
}

/**
 * The supervisor's log buffers: one capped ring per service (a restart appends to it, so the
 * previous run's lines stay until the cap pushes them out), one seq counter for all services,
 * error/warn counts kept as lines come and go, and listeners for the live stream.
 */
export class LogStore {
  private readonly buffers = new Map<string, ServiceBuffer>();
  private readonly listeners = new Set<(line: LogLine) => void>();
  private seq = 0;

  constructor(readonly capPerService = LINES_PER_SERVICE) {}

  private buffer(service: string): ServiceBuffer {
    let b = this.buffers.get(service);
    if (!b) this.buffers.set(service, (b = { ring: new Ring<LogLine>(this.capPerService), dropped: 0, errorCount: 0, warnCount: 0 }));
    return b;
  }

  /** Parses and stores one raw output line; returns it as stored. */
  append(service: string, run: number, stream: 'stdout' | 'stderr', raw: string, readAt = Date.now()): LogLine {
    const line: LogLine = { seq: this.seq++, service, run, ...parseLine(raw, stream, readAt) };
    const b = this.buffer(service);
    const dropped = b.ring.push(line);
    if (dropped) {
      b.dropped += 1;
      this.count(b, dropped, -1);
    }
    this.count(b, line, 1);
    for (const listener of this.listeners) listener(line);
    return line;
  }

  private count(b: ServiceBuffer, line: LogLine, delta: number): void {
    if (line.level === 'error' || line.level === 'fatal') b.errorCount += delta;
    else if (line.level === 'warn') b.warnCount += delta;
  }

  /** Error and warning counts over a service's buffered lines. */
  counts(service: string): { errorCount: number; warnCount: number; dropped: number } {
    const b = this.buffers.get(service);
    return { errorCount: b?.errorCount ?? 0, warnCount: b?.warnCount ?? 0, dropped: b?.dropped ?? 0 };
  }

  /** Services that have printed anything. */
  services(): string[] {
    return [...this.buffers.keys()];
  }

  /** The line with this seq, if still buffered (rings are in seq order: binary search each). */
  private lineAt(seq: number): LogLine | undefined {
    for (const { ring } of this.buffers.values()) {
      let lo = 0;
      let hi = ring.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const s = ring.at(mid).seq;
        if (s === seq) return ring.at(mid);
        if (s < seq) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return undefined;
  }

  /**
   * One page of matching lines, newest last, ordered by time then seq. Each service's ring is
   * scanned newest-first for at most `limit + 1` matches before the cursor, then merged; `more`
   * says older matches exist. A `before` seq no longer buffered pages by seq alone.
   */
  query(filter: LogFilter): LogPage {
    const names = filter.services ?? [...this.buffers.keys()];
    const cursor = filter.before === undefined ? undefined : (this.lineAt(filter.before) ?? { time: Infinity, seq: filter.before });
    const isBefore = (line: LogLine): boolean => cursor === undefined || (cursor.time === Infinity ? line.seq < cursor.seq : compareLines(line, cursor as LogLine) < 0);
    const found: LogLine[] = [];
    let dropped = 0;
    for (const name of names) {
      const b = this.buffers.get(name);
      if (!b) continue;
      dropped += b.dropped;
      let taken = 0;
      for (let i = b.ring.length - 1; i >= 0 && taken <= filter.limit; i--) {
        const line = b.ring.at(i);
        if (!isBefore(line) || !atLeast(line, filter.level) || (filter.match && !filter.match(line))) continue;
        found.push(line);
        taken += 1;
      }
    }
    found.sort(compareLines);
    const more = found.length > filter.limit;
    return { lines: more ? found.slice(found.length - filter.limit) : found, more, dropped };
  }

  /** Every buffered line carrying this trace id, in time order (for the traces view). */
  logsForTrace(traceId: string): LogLine[] {
    const out: LogLine[] = [];
    for (const { ring } of this.buffers.values()) {
      for (let i = 0; i < ring.length; i++) if (ring.at(i).traceId === traceId) out.push(ring.at(i));
    }
    return out.sort(compareLines);
  }

  /** Calls `listener` for every line appended from now on; returns the unsubscribe. */
  onLine(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
