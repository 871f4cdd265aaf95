import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { eventEpochKey, eventStreamKey, type HypernodeEvent } from '@hypernode/events';
import { listenForOutbox, markPublished, markPublishedAtCommit, outboxState, publishedEventsFrom, RELAY_LOCK, replayWindowStart, saveStreamEpoch, traceparentOf, unpublishedEvents, withTransaction } from '@hypernode/store';
import { startPublishSpans } from './relay-trace.js';

/** Events kept on the stream for resuming clients (also the re-seed window). */
export const STREAM_BACKLOG = 100_000;
/** Events published per pass: one pipelined round trip of XADDs. */
const PASS_SIZE = 200;
/** The fallback pass while NOTIFY wakes the relay (a lost notification, the LISTEN connection down): each pass costs five queries. */
const LISTENING_FALLBACK_MS = 1000;
/** The pass interval without LISTEN (`listen: false`). */
const POLL_MS = 100;
/** Events per pipelined round trip while re-seeding. */
const SEED_PAGE = 1000;
/** The relay's lock, taken with BEGIN (a constant key, so no parameter). */
const TRY_LOCK = `SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS ok`;
/** Longest the first pass waits for the Redis connection before it runs (and reports Redis unreachable). */
const START_WAIT_MS = 2000;

/** Publishes the outbox to the Redis stream, in id order, at least once, never stamping an event that is not on the stream. */
export interface OutboxRelay {
  /** One pass now; resolves to the number of events published. */
  flush(): Promise<number>;
  /** Stops polling and waits for a pass in flight. */
  stop(): Promise<void>;
}

/** Why the relay re-seeded the stream, for the log. */
export interface ReseedInfo {
  reason: string;
  epoch: string;
  events: number;
}

/** Redis answered a relay command with an error; nothing of that pass was stamped published. */
export class RelayStreamError extends Error {
  readonly code = 'E_RELAY_STREAM';
}

const REFUSED = /equal or smaller than the target stream top item/;
const streamId = (e: HypernodeEvent) => `${e.id}-0`;
const entryNumber = (id: string) => BigInt(id.split('-')[0]!);

/** Throws the first error of a pipeline's results; returns whether it was Redis refusing an id at or below the top. */
function firstError(results: Array<[Error | null, unknown]> | null, what: string): 'refused' | undefined {
  if (!results) throw new RelayStreamError(`${what}: the Redis transaction was aborted; the relay retries on its next pass`);
  const error = results.find(([e]) => e)?.[0];
  if (!error) return undefined;
  if (REFUSED.test(error.message)) return 'refused';
  throw new RelayStreamError(`${what}: Redis answered "${error.message}"; the relay retries on its next pass`);
}

/**
 * Starts the relay: woken by PostgreSQL's NOTIFY on OUTBOX_CHANNEL when a transaction committed
 * outbox rows (`listen`, default on), and every `intervalMs` as the fallback (default 1 s; 100 ms without LISTEN) (only one instance
 * at a time, via an advisory lock), it
 * checks the stream against PostgreSQL, re-seeding it when it looks wrong, then XADDs the
 * unpublished rows with stream id `<event id>-0` — so clients resume by event id — in one
 * pipeline, and stamps them published in the same transaction only when every XADD succeeded.
 *
 * The stream looks wrong when its epoch key is missing or differs from the one recorded in
 * PostgreSQL (Redis lost its data; the database was reset), when its top is below the highest
 * published id (entries lost), or above it with entries that are not exactly the next
 * unpublished rows (a stream from another database). Entries above it that ARE the next
 * unpublished rows are a crash between XADD and stamp: they are stamped, not re-added.
 *
 * Re-seeding builds the replay window (the newest STREAM_BACKLOG published events) under a
 * temporary key, then in one MULTI renames it over the stream and writes a new epoch id, so
 * readers never see a half-built stream; realtime sees the new epoch and resets its clients.
 */
export function startRelay(deps: { pool: Pool; redis: Redis; prefix: string; intervalMs?: number; listen?: boolean; onError?: (error: Error) => void; onReseed?: (info: ReseedInfo) => void }): OutboxRelay {
  const { redis } = deps;
  const key = eventStreamKey(deps.prefix);
  const epochKey = eventEpochKey(deps.prefix);
  let running: Promise<number> | undefined;
  let stopped = false;

  const reseed = async (client: PoolClient, reason: string): Promise<void> => {
    const epoch = randomUUID();
    const building = `${key}:reseed`;
    await redis.del(building);
    let events = 0;
    let from = await replayWindowStart(client, STREAM_BACKLOG);
    while (from !== undefined) {
      const page = await publishedEventsFrom(client, from, SEED_PAGE);
      if (page.length === 0) break;
      const pipeline = redis.pipeline();
      for (const e of page) pipeline.xadd(building, streamId(e), 'event', JSON.stringify(e));
      if (firstError(await pipeline.exec(), `re-seeding ${key}`)) throw new RelayStreamError(`re-seeding ${key}: the temporary stream ${building} was written to concurrently; retrying`);
      events += page.length;
      from = page.length < SEED_PAGE ? undefined : BigInt(page.at(-1)!.id) + 1n;
    }
    const swap = redis.multi();
    if (events > 0) swap.rename(building, key);
    else swap.del(key);
    swap.set(epochKey, epoch);
    firstError(await swap.exec(), `re-seeding ${key}`);
    await saveStreamEpoch(client, key, epoch);
    deps.onReseed?.({ reason, epoch, events });
  };

  /** Re-seeds when the stream looks wrong; stamps entries a crash left on the stream unstamped. */
  const check = async (client: PoolClient): Promise<void> => {
    // Redis and PostgreSQL read at once: one round trip fewer on every pass (an event's latency).
    const [replies, state] = await Promise.all([redis.pipeline().get(epochKey).xrevrange(key, '+', '-', 'COUNT', 1).exec(), outboxState(client, key)]);
    const [epochReply, topReply] = replies ?? [];
    if (!epochReply || !topReply || epochReply[0] || topReply[0]) throw new RelayStreamError(`reading ${epochKey} and ${key}: ${String(epochReply?.[0] ?? topReply?.[0] ?? 'no reply')}`);
    const epoch = epochReply[1] as string | null;
    const topEntry = (topReply[1] as Array<[string, string[]]>)[0];
    const top = topEntry ? entryNumber(topEntry[0]) : 0n;
    if (!epoch) return reseed(client, `stream epoch ${epochKey} is missing (first start, or Redis lost its data)`);
    if (epoch !== state.epoch) return reseed(client, `stream epoch ${epoch} is not the one this database seeded (${state.epoch ?? 'none'})`);
    if (top < state.maxPublished) return reseed(client, `stream top ${top} is below the highest published event ${state.maxPublished}`);
    if (top === state.maxPublished) return;
    const entries = await redis.xrange(key, `${state.maxPublished + 1n}-0`, '+', 'COUNT', PASS_SIZE + 1);
    const rows = await unpublishedEvents(client, PASS_SIZE + 1, top);
    const same = entries.length <= PASS_SIZE && entries.length === rows.length && entries.every(([id, fields], i) => id === streamId(rows[i]!) && fields[1] === JSON.stringify(rows[i]));
    if (!same) return reseed(client, `stream top ${top} is ahead of the highest published event ${state.maxPublished} with entries this outbox did not publish`);
    await markPublished(client, rows.map((r) => r.id));
  };

  /** One pass inside its transaction; `begun` is TRY_LOCK's answer. */
  const publishPass = async (client: PoolClient, begun: QueryResult | undefined): Promise<number> => {
    if (!(begun?.rows[0] as { ok?: boolean } | undefined)?.ok) return 0;
    await check(client);
    const rows = await unpublishedEvents(client, PASS_SIZE);
    if (rows.length === 0) return 0;
    // Events written by traced work continue their trace here: a `relay publish` span each,
    // whose traceparent rides in the stream entry (field `traceparent`, after `event`) for realtime.
    const spans = startPublishSpans(rows, traceparentOf, key);
    const publish = () => {
      const pipeline = redis.pipeline();
      for (const e of rows) {
        const traceparent = spans.traceparent(e);
        if (traceparent) pipeline.xadd(key, 'MAXLEN', '~', String(STREAM_BACKLOG), streamId(e), 'event', JSON.stringify(e), 'traceparent', traceparent);
        else pipeline.xadd(key, 'MAXLEN', '~', String(STREAM_BACKLOG), streamId(e), 'event', JSON.stringify(e));
      }
      return pipeline.exec();
    };
    try {
      if (firstError(await publish(), `publishing to ${key}`) === 'refused') {
        // Something else wrote ids at or above ours since the check: rebuild, then add ours once more.
        await reseed(client, `Redis refused event ${rows[0]!.id} as at or below the stream top`);
        if (firstError(await publish(), `publishing to ${key}`)) throw new RelayStreamError(`publishing to ${key}: Redis refused event ids right after a re-seed; is another relay with another database writing this stream?`);
      }
      markPublishedAtCommit(client, rows.map((r) => r.id));
      spans.end();
    } catch (error) {
      spans.end(error as Error);
      throw error;
    }
    return rows.length;
  };
  // The lock rides with BEGIN and the stamp with COMMIT (TRY_LOCK, markPublishedAtCommit): a
  // pass that publishes costs four PostgreSQL round trips, not six.
  const pass = () => withTransaction(deps.pool, publishPass, { begin: TRY_LOCK });

  const flush = () => (running ??= pass().finally(() => (running = undefined)));
  // During an outage: back off (up to 2 s) and report the first failure of a run only, not every pass.
  let failures = 0;
  let ticking = false;
  let woken = false;
  const tick = async () => {
    if (stopped) return;
    ticking = true;
    try {
      let published: number;
      do {
        woken = false;
        published = await flush();
        // A short pass emptied the outbox as of its snapshot: whatever commits later notifies (woken).
      } while ((published >= PASS_SIZE || woken) && !stopped);
      failures = 0;
    } catch (error) {
      if (failures === 0) deps.onError?.(error as Error);
      failures += 1;
    }
    ticking = false;
    const interval = deps.intervalMs ?? (listener ? LISTENING_FALLBACK_MS : POLL_MS);
    if (!stopped) timer = setTimeout(tick, failures === 0 ? interval : Math.min(interval * 2 ** failures, 2000));
  };
  // A commit with outbox rows wakes the relay at once; during an outage the backoff stands.
  const wake = () => {
    if (stopped || failures > 0) return;
    if (ticking) woken = true;
    else {
      clearTimeout(timer);
      void tick();
    }
  };
  const listener = deps.listen === false ? undefined : listenForOutbox(deps.pool, wake);
  // Redis (re)connected: a pass at once. At start the first pass waits for it (at most
  // START_WAIT_MS): a read before the connection is up fails (no offline queue), and its retry
  // came up to 2 s later — a window in which realtime met a fresh epoch together with the first
  // events and sent its clients `reset` for them. After an outage: no waiting out the backoff.
  const onReady = () => {
    if (stopped || ticking) return;
    clearTimeout(timer);
    void tick();
  };
  redis.on('ready', onReady);
  let timer = setTimeout(tick, redis.status === 'ready' ? 0 : START_WAIT_MS);
  return {
    flush,
    stop: async () => {
      stopped = true;
      redis.off('ready', onReady);
      clearTimeout(timer);
      await listener?.close();
      await running?.catch(() => undefined);
    },
  };
}
