import fc from 'fast-check';
import WebSocket from 'ws';
import { nastyString } from './hostile-http.js';
import { wsProtocols } from './credentials.js';

/** One malformed frame: text, or bytes sent as a binary frame. */
export type HostileFrame = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array };

const TYPES = ['subscribe', 'unsubscribe', 'ping'];
const topicish = fc.oneof(fc.constantFrom('deployments', 'nodes', 'services', 'deployments\u0000', '\u0000', 'deployment:\u0000', 'deployment:', 'node:../../', 'DEPLOYMENTS', ' deployments'), nastyString, fc.uuid().map((id) => `deployment:${id}\u0000`));
const wrongType = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }), nastyString);

/**
 * Malformed client frames for realtime: bad JSON, non-objects, wrong types, huge arrays, binary
 * frames, NUL in topics, unknown message types, hostile `lastEventId` / `epoch`, frames past the
 * size limit. Every one deserves an `error` frame or a close with a named code.
 */
export const hostileFrame: fc.Arbitrary<HostileFrame> = fc.oneof(
  // Not JSON at all.
  fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }).map((s) => `{${s}`), fc.constantFrom('', '{', '}', '[', 'undefined', 'NaN', '{"type":"subscribe",}', "{'type':'ping'}", '\u0000')).map((data) => ({ kind: 'text' as const, data })),
  // JSON, but not an object.
  fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => ({ kind: 'text' as const, data: JSON.stringify(v) })),
  // Unknown or wrongly typed `type`.
  fc.oneof(nastyString.filter((t) => !TYPES.includes(t)), wrongType, fc.constantFrom('SUBSCRIBE', 'Ping', 'subscribe\u0000', 'hello', 'event', 'reset', '__proto__')).map((type) => ({ kind: 'text' as const, data: JSON.stringify({ type, topics: ['deployments'] }) })),
  // subscribe/unsubscribe with topics of the wrong type, NUL in them, or unknown ones.
  fc.record({ type: fc.constantFrom('subscribe', 'unsubscribe'), topics: fc.oneof(wrongType.filter((v) => !Array.isArray(v) || v.length === 0 || v.some((t) => typeof t !== 'string')), fc.array(topicish, { minLength: 1, maxLength: 5 }).filter((ts) => ts.some((t) => !/^(deployments|nodes|services)$/.test(t))), fc.constant([])) }).map((m) => ({ kind: 'text' as const, data: JSON.stringify(m) })),
  // Valid topics, hostile lastEventId / epoch.
  fc.record({ lastEventId: fc.oneof(wrongType.filter((v) => typeof v !== 'string' && v !== null), fc.constantFrom('-1', '1.5', '1e3', '99999999999999999999999', ' 1', '1\u0000', '0x10', ''), nastyString.filter((v) => !/^\d{1,19}$/.test(v))), epoch: fc.option(fc.oneof(wrongType.filter((v) => typeof v !== 'string' && v !== null), fc.constantFrom('', 'a\u0000', 'é', 'x'.repeat(200)))) }).map(({ lastEventId, epoch }) => ({ kind: 'text' as const, data: JSON.stringify({ type: 'subscribe', topics: ['deployments'], lastEventId, ...(epoch !== null ? { epoch } : {}) }) })),
  // Huge arrays: past the topic cap, and past the frame size limit (64 KiB).
  fc.constantFrom(101, 1_000, 10_000, 20_000).map((n) => ({ kind: 'text' as const, data: JSON.stringify({ type: 'subscribe', topics: Array.from({ length: n }, (_, i) => (i % 2 ? 'deployments' : `deployment:${i}`)) }) })),
  // Binary frames, including valid JSON sent as bytes.
  fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(new TextEncoder().encode('{"type":"ping"}'))).map((data) => ({ kind: 'binary' as const, data })),
);

/** What became of one frame. */
export type FrameOutcome = 'error' | 'answered' | 'closed-named' | 'closed-other' | 'unanswered';

/** Close codes that name why a connection was closed (policy, too big, or this server's own 4xxx). */
export const isNamedClose = (code: number): boolean => code === 1008 || code === 1009 || (code >= 4000 && code <= 4999);

/** One connection that sends a frame and waits (bounded) for the direct answer to it. */
export interface FrameProbe {
  /** Sends `frame`; resolves with what happened and, for a close, its code. */
  send(frame: HostileFrame, ms: number): Promise<{ outcome: FrameOutcome; closeCode?: number; errorCode?: string }>;
  closed: boolean;
  close(): void;
}

/** Opens a connection to realtime and waits (bounded) for its `hello`. */
export function openFrameProbe(url: string, ms: number): Promise<FrameProbe> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, wsProtocols(), { handshakeTimeout: ms });
    let waiter: ((v: { outcome: FrameOutcome; closeCode?: number; errorCode?: string }) => void) | undefined;
    let closeCode: number | undefined;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no hello from ${url} within ${ms} ms`));
    }, ms);
    const probe: FrameProbe = {
      closed: false,
      close: () => ws.terminate(),
      send: (frame, waitMs) =>
        new Promise((done) => {
          if (probe.closed) return done({ outcome: closeCode !== undefined && isNamedClose(closeCode) ? 'closed-named' : 'closed-other', closeCode });
          const t = setTimeout(() => {
            waiter = undefined;
            done({ outcome: 'unanswered' });
          }, waitMs);
          waiter = (v) => {
            clearTimeout(t);
            waiter = undefined;
            done(v);
          };
          ws.send(frame.data, { binary: frame.kind === 'binary' }, () => undefined);
        }),
    };
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      let msg: { type?: string; code?: string };
      try {
        msg = JSON.parse(data.toString()) as { type?: string; code?: string };
      } catch {
        return;
      }
      if (msg.type === 'hello') {
        clearTimeout(timer);
        resolve(probe);
      } else if (msg.type === 'error') waiter?.({ outcome: 'error', errorCode: msg.code });
      else if (msg.type === 'subscribed' || msg.type === 'pong') waiter?.({ outcome: 'answered' });
      // `event` and `reset` frames are not answers to a frame: ignored.
    });
    ws.on('close', (code) => {
      probe.closed = true;
      closeCode = code;
      clearTimeout(timer);
      reject(new Error(`closed with ${code} before hello`));
      waiter?.({ outcome: isNamedClose(code) ? 'closed-named' : 'closed-other', closeCode: code });
    });
  });
}
