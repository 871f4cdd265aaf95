/**
 * @file The realtime protocol (JSON text frames).
 *
 * - On connect the server sends `hello` with the stream's current `epoch` (null while it is
 *   not known yet). Event ids are comparable only within one epoch: the api's relay writes a
 *   new epoch whenever it re-seeds the stream (Redis lost its data, or the database was reset).
 * - Every client frame gets exactly one direct answer: `subscribed`, `pong` or `error` (or the
 *   connection is closed with one of the CLOSE codes). `subscribed` names only what changed
 *   (`added` / `removed`) and the total `count` of topics held.
 * - `subscribe` with `lastEventId` AND the `epoch` that id belongs to resumes exactly: the
 *   events missed on those topics, then live events, with no gap. When that cannot be proven
 *   (no epoch, another epoch, the backlog no longer reaches back, more than the replay cap, or
 *   an id below what this connection already delivered) the server sends `reset` instead:
 *   reload the current state, remember `epoch`, take `lastEventId` as the new resume point;
 *   live events follow.
 * - Delivery order: on one connection event ids only ever grow within an epoch, so each id
 *   reaches a connection at most once per epoch. A later subscribe never rewinds: it replays
 *   only the newly added topics, and only above the highest id already delivered.
 * - The server sends `reset` to every connection when the stream's epoch changes or the stream
 *   went backwards or vanished; the follower re-positions at the new stream's end.
 * - One replay runs per connection at a time; further subscribe/unsubscribe frames wait their
 *   turn (at most MAX_PENDING_OPS). Replays go in pages and wait for the client to read.
 */
import type { HypernodeEvent } from '@hypernode/events';

/** Close codes this server uses. */
export const CLOSE = {
  GOING_AWAY: 1001,
  POLICY: 1008,
  TOO_BIG: 1009,
  /** Redis (the event stream) is unreachable, so a resume cannot be served now: reconnect later with the same lastEventId. */
  TRY_AGAIN_LATER: 1013,
  /** The client stopped reading and its buffer passed the bound. */
  SLOW_CONSUMER: 4008,
  /** This client address already holds the configured number of connections. */
  TOO_MANY_CONNECTIONS: 4029,
  /** This principal (API key, session, node) already holds the configured number of connections. */
  TOO_MANY_PRINCIPAL_CONNECTIONS: 4030,
} as const;

/** Subscribe/unsubscribe frames that may wait behind a running replay on one connection. */
export const MAX_PENDING_OPS = 8;

/** Why a `reset` was sent. */
export type ResetCode = 'epoch_changed' | 'stream_reset' | 'unproven' | 'backlog_trimmed' | 'replay_too_long' | 'rewind_refused';

/** Topics clients may subscribe to. */
const TOPIC = /^(deployments|nodes|services|deployment:[0-9a-f-]{36}|node:[0-9a-f-]{36})$/;

/** What a client may send. */
export type ClientMessage =
  | { type: 'subscribe'; topics: string[]; lastEventId?: string; epoch?: string }
  | { type: 'unsubscribe'; topics: string[] }
  | { type: 'ping' };

/** What the server sends. */
export type ServerMessage =
  | { type: 'hello'; instanceId: string; epoch: string | null }
  | { type: 'subscribed'; added: string[]; removed: string[]; count: number }
  | { type: 'event'; event: HypernodeEvent }
  | { type: 'reset'; code: ResetCode; reason: string; epoch: string | null; oldestEventId: string | null; lastEventId: string }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

/** A message that cannot be used; becomes an error frame, never a closed connection. */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const EVENT_ID = /^\d{1,19}$/;
const EPOCH = /^[\x21-\x7e]{1,128}$/;

/** Shows a client value in an error message without echoing a huge or hostile string back. */
const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** Parses and checks one client frame; throws ProtocolError with what to send instead. */
export function parseClientMessage(raw: string, maxTopics = 100): ClientMessage {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new ProtocolError('bad_json', 'message is not JSON: send {"type":"subscribe","topics":["deployments"]}');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ProtocolError('bad_message', `message must be a JSON object, got ${show(data)}: send {"type":"subscribe","topics":["deployments"]}`);
  }
  const msg = data as { type?: unknown; topics?: unknown; lastEventId?: unknown; epoch?: unknown };
  if (msg.type === 'ping') return { type: 'ping' };
  if (msg.type !== 'subscribe' && msg.type !== 'unsubscribe') {
    throw new ProtocolError('bad_type', `unknown message type ${show(msg.type)}: use subscribe, unsubscribe or ping`);
  }
  if (!Array.isArray(msg.topics) || msg.topics.length === 0 || msg.topics.length > maxTopics || !msg.topics.every((t) => typeof t === 'string')) {
    throw new ProtocolError('bad_topics', `topics must be a list of 1–${maxTopics} topic names`);
  }
  const unknown = (msg.topics as string[]).filter((t) => !TOPIC.test(t));
  if (unknown.length > 0) {
    throw new ProtocolError('unknown_topic', `unknown topic ${unknown.slice(0, 3).map(show).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}: use deployments, nodes, services, deployment:<id> or node:<id>`);
  }
  const topics = [...new Set(msg.topics as string[])];
  if (msg.type === 'unsubscribe') return { type: 'unsubscribe', topics };
  if (msg.lastEventId !== undefined && msg.lastEventId !== null && (typeof msg.lastEventId !== 'string' || !EVENT_ID.test(msg.lastEventId))) {
    throw new ProtocolError('bad_last_event_id', 'lastEventId must be the id of an event you received (a string of digits)');
  }
  if (msg.epoch !== undefined && msg.epoch !== null && (typeof msg.epoch !== 'string' || !EPOCH.test(msg.epoch))) {
    throw new ProtocolError('bad_epoch', 'epoch must be the epoch string a hello or reset frame gave you');
  }
  const lastEventId = typeof msg.lastEventId === 'string' ? msg.lastEventId : undefined;
  const epoch = typeof msg.epoch === 'string' ? msg.epoch : undefined;
  return { type: 'subscribe', topics, ...(lastEventId !== undefined ? { lastEventId } : {}), ...(epoch !== undefined ? { epoch } : {}) };
}
