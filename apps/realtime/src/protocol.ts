import type { HypernodeEvent } from '@hypernode/events';

/** Close codes this server uses. */
export const CLOSE = {
  GOING_AWAY: 1001,
  POLICY: 1008,
  TOO_BIG: 1009,
  /** The client stopped reading and its buffer passed the bound. */
  SLOW_CONSUMER: 4008,
} as const;

/** Topics clients may subscribe to. */
const TOPIC = /^(deployments|nodes|services|deployment:[0-9a-f-]{36}|node:[0-9a-f-]{36})$/;

/** What a client may send. */
export type ClientMessage = { type: 'subscribe'; topics: string[]; lastEventId?: string } | { type: 'unsubscribe'; topics: string[] } | { type: 'ping' };

/** What the server sends. */
export type ServerMessage =
  | { type: 'hello'; instanceId: string }
  | { type: 'subscribed'; topics: string[] }
  | { type: 'event'; event: HypernodeEvent }
  | { type: 'reset'; reason: string; oldestEventId: string | null }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

/** A message that cannot be used; becomes an error frame, never a closed connection. */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const EVENT_ID = /^\d{1,19}$/;

/** Parses and checks one client frame; throws ProtocolError with what to send instead. */
export function parseClientMessage(raw: string): ClientMessage {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new ProtocolError('bad_json', 'message is not JSON: send {"type":"subscribe","topics":["deployments"]}');
  }
  const msg = data as { type?: unknown; topics?: unknown; lastEventId?: unknown };
  if (msg?.type === 'ping') return { type: 'ping' };
  if (msg?.type !== 'subscribe' && msg?.type !== 'unsubscribe') {
    throw new ProtocolError('bad_type', `unknown message type ${JSON.stringify(msg?.type)}: use subscribe, unsubscribe or ping`);
  }
  if (!Array.isArray(msg.topics) || msg.topics.length === 0 || msg.topics.length > 50 || !msg.topics.every((t) => typeof t === 'string')) {
    throw new ProtocolError('bad_topics', 'topics must be a list of 1–50 topic names');
  }
  const unknown = (msg.topics as string[]).filter((t) => !TOPIC.test(t));
  if (unknown.length > 0) {
    throw new ProtocolError('unknown_topic', `unknown topic ${unknown.map((t) => JSON.stringify(t)).join(', ')}: use deployments, nodes, services, deployment:<id> or node:<id>`);
  }
  if (msg.type === 'unsubscribe') return { type: 'unsubscribe', topics: msg.topics as string[] };
  if (msg.lastEventId !== undefined && (typeof msg.lastEventId !== 'string' || !EVENT_ID.test(msg.lastEventId))) {
    throw new ProtocolError('bad_last_event_id', 'lastEventId must be the id of an event you received (a string of digits)');
  }
  return { type: 'subscribe', topics: msg.topics as string[], lastEventId: msg.lastEventId as string | undefined };
}
