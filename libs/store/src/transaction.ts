import type { Pool, PoolClient, QueryResult } from 'pg';
import { topicsFor, type EventPayloads, type EventType } from '@hypernode/events';
import { currentTraceparent, withoutTracing, withSpan } from '@hypernode/telemetry';
import { OUTBOX_WRITE_LOCK } from './lock-order.js';

interface PendingEvent {
  type: EventType;
  topics: string[];
  data: string;
  /** The trace context of the work that recorded it (undefined when tracing is off). */
  traceparent: string | undefined;
}

/** Events buffered by recordEvent, per transaction (keyed by the client running it). */
const pending = new WeakMap<PoolClient, PendingEvent[]>();

/** recordEvent was called on a client that is not inside `withTransaction`. */
export class OutboxTransactionError extends Error {
  readonly code = 'E_OUTBOX_NO_TRANSACTION';
}

/** Statements `commitWith` queued per transaction, run just before its COMMIT in the same round trip. */
const tails = new WeakMap<PoolClient, string[]>();

/** Options of withTransaction. */
export interface TransactionOptions {
  /**
   * A statement without parameters sent with BEGIN, in the same round trip (simple protocol);
   * its result is `work`'s second argument. For a first statement that is all constants (an
   * advisory lock by its fixed key): one round trip fewer per transaction.
   */
  begin?: string;
}

/**
 * Runs `work` in one transaction; rolls back on any error. Events the work recorded are
 * inserted into the outbox just before COMMIT, under the outbox ordering lock, which is thus
 * taken last and held only for that insert and the commit (see lock-order.ts).
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient, begun: QueryResult | undefined) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  const events: PendingEvent[] = [];
  const tail: string[] = [];
  pending.set(client, events);
  tails.set(client, tail);
  let broken = false;
  try {
    // pg answers a several-statement query with one result per statement.
    const begun = options.begin === undefined ? (await client.query('BEGIN'), undefined) : ((await client.query(`BEGIN;\n${options.begin}`)) as unknown as QueryResult[])[1];
    const result = await work(client, begun);
    // With events: the outbox lock, their INSERT and the COMMIT in one round trip (insertEvents);
    // statements queued by commitWith go first, in that same round trip.
    if (events.length > 0) await insertEvents(client, events, tail);
    else await client.query([...tail, 'COMMIT'].join(';\n'));
    return result;
  } catch (error) {
    // A connection that timed out or dropped is not rolled back (that would wait on a server that
    // is not answering) but destroyed: PostgreSQL aborts the transaction when the session ends.
    if (!isBrokenConnection(error)) await client.query('ROLLBACK').catch(() => (broken = true));
    else broken = true;
    throw error;
  } finally {
    pending.delete(client);
    tails.delete(client);
    client.release(broken);
  }
}

/**
 * Queues a statement WITHOUT parameters (any value in it escaped by the caller) to run at the
 * end of the caller's transaction, just before its COMMIT and in the same round trip: the last
 * write of a transaction then costs no round trip of its own. If it fails, nothing commits.
 */
export function commitWith(client: PoolClient, statement: string): void {
  const tail = tails.get(client);
  if (!tail) throw new OutboxTransactionError('commitWith was called outside withTransaction: run it inside withTransaction(pool, (client) => …) from @hypernode/store');
  tail.push(statement);
}

/** Errors after which a client must not be reused: its last query may still be in flight. */
function isBrokenConnection(error: unknown): boolean {
  const e = error as { message?: string; code?: string } | undefined;
  return /Query read timeout|Connection terminated|connection error|ECONNRESET|EPIPE/i.test(`${e?.message ?? ''} ${e?.code ?? ''}`);
}

/** Events per INSERT statement of a commit (a page of waiting reasons can hold thousands). */
const INSERT_CHUNK = 1000;

/** Inserts the buffered events and commits (insertAndCommit), inside an `outbox insert` span when the work was traced. */
async function insertEvents(client: PoolClient, events: PendingEvent[], tail: readonly string[]): Promise<void> {
  // Traced work gets an `outbox insert` span; each row keeps that span's traceparent (the relay
  // continues the trace from it). Untraced work (tracing off) inserts NULL and starts no span.
  if (!events.some((e) => e.traceparent)) return insertAndCommit(client, events, tail);
  const deployments = new Set(events.flatMap((e) => e.topics.filter((t) => t.startsWith('deployment:')).map((t) => t.slice('deployment:'.length))));
  const deploymentId = deployments.size === 1 ? [...deployments][0] : undefined;
  await withSpan('outbox insert', { deploymentId, attributes: { 'hypernode.events': events.length, 'hypernode.event.types': [...new Set(events.map((e) => e.type))].join(',') } }, () => {
    const here = currentTraceparent();
    return insertAndCommit(client, events.map((e) => (e.traceparent ? { ...e, traceparent: here ?? e.traceparent } : e)), tail);
  });
}

/**
 * Takes the outbox lock, inserts the events and commits — as ONE simple-protocol query
 * (several statements, values escaped by pg's own escapeLiteral), so the lock that orders every
 * event-writing transaction of the system is held only while PostgreSQL runs them, never across
 * a round trip to this process (which, on a loaded machine, can wait milliseconds for a CPU
 * between two statements while every other writer waits on it). A failing statement stops the
 * rest, COMMIT included; the caller rolls back. Hand-written: node-postgres sends parameters
 * only one statement at a time.
 */
async function insertAndCommit(client: PoolClient, events: PendingEvent[], tail: readonly string[]): Promise<void> {
  const literal = (value: string | null) => (value === null ? 'NULL' : client.escapeLiteral(value));
  const statements = [...tail, `SELECT pg_advisory_xact_lock(${OUTBOX_WRITE_LOCK})`];
  for (let start = 0; start < events.length; start += INSERT_CHUNK) {
    const rows = events.slice(start, start + INSERT_CHUNK).map((e) => `(${literal(e.type)}, ARRAY[${e.topics.map(literal).join(', ')}]::text[], ${literal(e.data)}::jsonb, ${literal(e.traceparent ?? null)})`);
    statements.push(`INSERT INTO events (type, topics, data, traceparent) VALUES ${rows.join(', ')}`);
  }
  statements.push('COMMIT');
  // Untraced: the text holds the events' data, which must not be copied into a span (the
  // `outbox insert` span, when the work is traced, stands for this statement).
  await withoutTracing(() => client.query(statements.join(';\n')));
}

/**
 * Adds an event to the outbox of the caller's transaction (a client from `withTransaction`).
 * The row is written at commit, in recording order, so its id is known only after
 * `withTransaction` resolves; a rolled-back transaction writes none.
 */
export async function recordEvent<T extends EventType>(client: PoolClient, type: T, data: EventPayloads[T]): Promise<void> {
  const events = pending.get(client);
  if (!events) throw new OutboxTransactionError(`recordEvent(${type}) was called outside withTransaction: run the change and its event inside withTransaction(pool, (client) => …) from @hypernode/store`);
  events.push({ type, topics: topicsFor(type, data), data: JSON.stringify(data), traceparent: currentTraceparent() });
}
