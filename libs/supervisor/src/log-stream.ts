import type { WebSocket } from 'ws';
import type { LogLine, LogStreamFrame, SupervisedService } from '@hypernode/events';
import { atLeast, parseLogQuery, type RawLogQuery } from './log-query.js';
import type { LogStore } from './log-store.js';

/** Most a stream client may lag (bytes queued on its socket) before lines are skipped for it. */
export const STREAM_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Batching period of the live stream (the contract: at most every 50 ms). */
export const STREAM_BATCH_MS = 50;

export interface LogStreamOptions {
  store: LogStore;
  /** The services a query may name. */
  names: readonly string[];
  query: RawLogQuery;
  /** Subscribes to service state changes (the supervisor's `onState`); without it no state frames go out. */
  onState?: (listener: (service: SupervisedService) => void) => () => void;
  /** Told of every batch: lines sent, lines skipped for a lagging client. */
  onBatch?: (sent: number, skipped: number) => void;
}

/**
 * `WS /logs/stream` on one socket (libs/events dashboard.ts): the query is checked (a bad one
 * gets an `error` frame and close 1008), then the lines the filter wants go out in one `lines`
 * frame every STREAM_BATCH_MS, and each wanted service's state change as a `state` frame. A
 * client with more than STREAM_BACKLOG_BYTES unsent has its lines skipped, and is told how many
 * when it catches up (it reads them back with `GET /logs`). Anything the client sends is ignored.
 */
export function streamLogs(socket: WebSocket, options: LogStreamOptions): void {
  const send = (frame: LogStreamFrame) => socket.send(JSON.stringify(frame));
  let filter;
  try {
    filter = parseLogQuery({ services: options.query.services, level: options.query.level, q: options.query.q }, options.names);
  } catch (error) {
    send({ type: 'error', message: (error as Error).message });
    socket.close(1008, 'bad query');
    return;
  }
  const wanted = filter.services ? new Set(filter.services) : undefined;
  let pending: LogLine[] = [];
  let skipped = 0;
  const offLine = options.store.onLine((line) => {
    if ((wanted && !wanted.has(line.service)) || !atLeast(line, filter.level) || (filter.match && !filter.match(line))) return;
    pending.push(line);
  });
  const offState = options.onState?.((service) => {
    if (!wanted || wanted.has(service.name)) send({ type: 'state', service });
  });
  const timer = setInterval(() => {
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    if (socket.bufferedAmount > STREAM_BACKLOG_BYTES) {
      skipped += lines.length;
      options.onBatch?.(0, lines.length);
      return;
    }
    if (skipped > 0) {
      send({ type: 'error', message: `${skipped} lines skipped: this client reads slower than the services print (fetch them with GET /logs)` });
      skipped = 0;
    }
    send({ type: 'lines', lines });
    options.onBatch?.(lines.length, 0);
  }, STREAM_BATCH_MS);
  socket.on('close', () => {
    clearInterval(timer);
    offLine();
    offState?.();
  });
  socket.on('message', () => undefined);
}
