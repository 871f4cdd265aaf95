/**
 * THE LOCK ORDER. Every transaction in this library (and every caller that adds its own row
 * work inside `withTransaction`) takes locks in this order and never the other way round, so
 * no two transactions can wait on each other in a cycle (PostgreSQL deadlock 40P01):
 *
 *   0. A `join_tokens` row — registration only: a use is spent before the node row is written.
 *   1. `nodes` rows — `FOR NO KEY UPDATE` (or a plain UPDATE, which takes the same lock);
 *      several at once in id order.
 *   2. `deployments` rows — `FOR UPDATE`; several at once in id order.
 *   3. The outbox ordering lock (`OUTBOX_WRITE_LOCK`, transaction-scoped advisory lock) —
 *      LAST: `withTransaction` takes it just before COMMIT to insert the events the transaction
 *      buffered with `recordEvent` — lock, INSERT and COMMIT in one round trip, so it is never
 *      held while waiting on the client — and does no other row work while holding it. Event ids are
 *      therefore handed out in commit order: the relay never sees id N+1 committed while id N
 *      is still in flight, and never has a gap filled late.
 *
 * The scheduler (scheduling.ts) locks a node, then a deployment, both with `SKIP LOCKED`: it
 * never waits, so it cannot close a cycle. Foreign-key checks take `FOR KEY SHARE` on the node,
 * which does not conflict with `FOR NO KEY UPDATE`.
 *
 * The relay (apps/api) takes `RELAY_LOCK` with `pg_try_advisory_xact_lock` (never waits) and
 * only reads and stamps `events` rows, which writers never lock.
 */
export const LOCK_ORDER = ['join_tokens row (registration only)', 'nodes rows (id order)', 'deployments rows (id order)', 'outbox ordering advisory lock (at commit)'] as const;

/** Advisory lock key that orders outbox inserts (lock-order step 3). */
export const OUTBOX_WRITE_LOCK = 0x48_4e_4f_42; // "HNOB"

/** Advisory lock key held by the one relay (of however many api instances) that publishes. */
export const RELAY_LOCK = 0x48_4e_52_4c; // "HNRL"
