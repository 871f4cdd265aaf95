import WebSocket from 'ws';
import { wsProtocols } from './credentials.js';

/** What one resuming client saw, kept in O(1) memory (no id lists): a 100k replay × 20 clients stays small. */
export interface ReplayRecord {
  /** Event frames received. */
  received: number;
  /** Events whose id was not above the previous one (a duplicate or out of order). */
  notIncreasing: number;
  /** Events whose id is not one of the expected ids. */
  unexpected: number;
  resets: number;
  /** `code` of each reset frame. */
  resetCodes: string[];
  /** Close codes of connections that ended before the client was done or stopped. */
  closeCodes: number[];
  connects: number;
  /** Highest id received. */
  lastId: bigint;
  /** True once it reached `untilId` or got a reset. */
  done: boolean;
}

/** A client resuming from an old id on the `deployments` topic. */
export interface ReplayClient {
  record: ReplayRecord;
  stop(): void;
}

const EVENT_PREFIX = '{"type":"event"';
const ID = /"event":\{"id":"(\d+)"/;

/**
 * Connects, takes the epoch from `hello`, subscribes to `deployments` with `lastEventId` and
 * that epoch, and counts what arrives (ids read with a regex, without parsing each frame) until
 * it has `untilId` or a `reset`. A connection that closes before then is resumed (after
 * `retryMs`) from the highest id received, with the same epoch.
 */
export function startReplayClient(url: string, options: { lastEventId: string; untilId: bigint; expected: ReadonlySet<string>; retryMs?: number }): ReplayClient {
  const record: ReplayRecord = { received: 0, notIncreasing: 0, unexpected: 0, resets: 0, resetCodes: [], closeCodes: [], connects: 0, lastId: BigInt(options.lastEventId), done: false };
  let epoch: string | undefined;
  let stopped = false;
  let socket: WebSocket | undefined;
  let retry: NodeJS.Timeout | undefined;
  const finish = () => {
    record.done = true;
    socket?.close(1000);
  };
  const connect = () => {
    if (stopped || record.done) return;
    const ws = new WebSocket(url, wsProtocols(), { handshakeTimeout: 5000 });
    socket = ws;
    ws.on('error', () => undefined);
    ws.on('open', () => (record.connects += 1));
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith(EVENT_PREFIX)) {
        const id = ID.exec(text.slice(0, 120))?.[1] ?? (JSON.parse(text) as { event: { id: string } }).event.id;
        const n = BigInt(id);
        record.received += 1;
        if (n <= record.lastId) record.notIncreasing += 1;
        else record.lastId = n;
        if (!options.expected.has(id)) record.unexpected += 1;
        if (record.lastId >= options.untilId) finish();
        return;
      }
      const frame = JSON.parse(text) as { type?: string; epoch?: string | null; code?: string };
      if (frame.type === 'hello') {
        epoch ??= frame.epoch ?? undefined;
        const subscribe: Record<string, unknown> = { type: 'subscribe', topics: ['deployments'], lastEventId: String(record.lastId) };
        if (epoch !== undefined) subscribe.epoch = epoch;
        ws.send(JSON.stringify(subscribe));
      } else if (frame.type === 'reset') {
        record.resets += 1;
        record.resetCodes.push(String(frame.code));
        finish();
      }
    });
    ws.on('close', (code) => {
      if (stopped || record.done) return;
      record.closeCodes.push(code);
      retry = setTimeout(connect, options.retryMs ?? 200);
    });
  };
  connect();
  return {
    record,
    stop: () => {
      stopped = true;
      clearTimeout(retry);
      socket?.terminate();
    },
  };
}

/** Sums of a set of replay clients; `exact` counts the clients that got every expected id once, in order. */
export function replayFigures(clients: ReplayClient[], expectedCount: number) {
  const r = clients.map((c) => c.record);
  const exact = r.filter((x) => x.resets === 0 && x.received === expectedCount && x.notIncreasing === 0 && x.unexpected === 0).length;
  const reset = r.filter((x) => x.resets > 0 && x.notIncreasing === 0 && x.unexpected === 0).length;
  return {
    clients: r.length,
    exact,
    reset,
    /** Clients that got neither every id exactly once nor a reset. */
    wrong: r.length - exact - reset,
    replayed: r.reduce((a, x) => a + x.received, 0),
    resets: r.reduce((a, x) => a + x.resets, 0),
    resetCodes: [...new Set(r.flatMap((x) => x.resetCodes))].join('/'),
    closes: r.reduce((a, x) => a + x.closeCodes.length, 0),
  };
}
