import WebSocket from 'ws';
import { wsProtocols } from './credentials.js';

/** One WebSocket client's record: what it received and how its connections ended. */
export interface WsRecord {
  /** Event ids received since the last `reset`, in arrival order. */
  ids: string[];
  /** Every id ever received (across resets). */
  allIds: string[];
  resets: number;
  errorFrames: number;
  /** Close codes of every connection that ended. */
  closeCodes: number[];
  connects: number;
}

/** A resuming client on the `deployments` topic. */
export interface WsClient {
  record: WsRecord;
  /** Highest event id received (what it resumes from). */
  lastEventId: string | undefined;
  /** Stops reconnecting and closes. */
  stop(): void;
  /** Drops the connection as a network failure would; the client reconnects after `holdMs` (default its retry) and resumes. */
  drop(holdMs?: number): void;
}

/** Frames the server sends that the client acts on. */
interface Frame {
  type?: string;
  epoch?: string;
  event?: { id: string };
}

/**
 * Connects to realtime, subscribes to `deployments` from `lastEventId`, records every event id,
 * and on any close reconnects after `retryMs` with the highest id it has (and the stream
 * `epoch` when the server's hello carries one), until stopped.
 */
export function startWsClient(url: string, options: { lastEventId?: string; retryMs?: number; topics?: string[] } = {}): WsClient {
  const record: WsRecord = { ids: [], allIds: [], resets: 0, errorFrames: 0, closeCodes: [], connects: 0 };
  let lastEventId = options.lastEventId;
  let epoch: string | undefined;
  let helloEpoch: string | undefined;
  let stopped = false;
  let socket: WebSocket | undefined;
  let retry: NodeJS.Timeout | undefined;
  let holdUntil = 0;

  const connect = () => {
    if (stopped) return;
    const ws = new WebSocket(url, wsProtocols(), { handshakeTimeout: 2000 });
    socket = ws;
    ws.on('error', () => undefined);
    ws.on('open', () => (record.connects += 1));
    ws.on('message', (data) => {
      let frame: Frame;
      try {
        frame = JSON.parse(data.toString()) as Frame;
      } catch {
        record.errorFrames += 1;
        return;
      }
      if (frame.type === 'hello') {
        // Resume with the epoch our ids belong to; the server must reset us if it moved on.
        helloEpoch = frame.epoch;
        if (frame.epoch !== undefined) epoch ??= frame.epoch;
        const subscribe: Record<string, unknown> = { type: 'subscribe', topics: options.topics ?? ['deployments'] };
        if (lastEventId !== undefined) subscribe.lastEventId = lastEventId;
        if (epoch !== undefined) subscribe.epoch = epoch;
        ws.send(JSON.stringify(subscribe));
      } else if (frame.type === 'event' && frame.event) {
        record.ids.push(frame.event.id);
        record.allIds.push(frame.event.id);
        lastEventId = frame.event.id;
      } else if (frame.type === 'reset') {
        record.resets += 1;
        record.ids = [];
        epoch = frame.epoch ?? helloEpoch;
      } else if (frame.type === 'error') {
        record.errorFrames += 1;
      }
    });
    ws.on('close', (code) => {
      record.closeCodes.push(code);
      if (!stopped) retry = setTimeout(connect, Math.max(options.retryMs ?? 200, holdUntil - Date.now()));
    });
  };
  connect();
  return {
    record,
    get lastEventId() {
      return lastEventId;
    },
    drop: (holdMs = 0) => {
      holdUntil = Date.now() + holdMs;
      socket?.terminate();
    },
    stop: () => {
      stopped = true;
      clearTimeout(retry);
      socket?.terminate();
    },
  };
}

/** Per-client loss and duplication against the ids that should have arrived. */
export function wsFigures(clients: WsClient[], expected: string[]) {
  let lost = 0;
  let duplicated = 0;
  let resets = 0;
  let clientsWithLoss = 0;
  for (const c of clients) {
    const seen = new Map<string, number>();
    for (const id of c.record.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    duplicated += [...seen.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
    resets += c.record.resets;
    // After a reset the client reloads state: only what came after it must be complete.
    const since = c.record.resets > 0 ? (c.record.ids[0] ?? null) : undefined;
    const owed = since === undefined ? expected : since === null ? [] : expected.filter((id) => BigInt(id) >= BigInt(since));
    const missing = owed.filter((id) => !seen.has(id)).length;
    lost += missing;
    if (missing > 0) clientsWithLoss += 1;
  }
  return { clients: clients.length, lost, clientsWithLoss, duplicated, resets };
}
