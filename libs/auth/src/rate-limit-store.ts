import type { Redis } from 'ioredis';

/**
 * A store for @fastify/rate-limit that counts in Redis (shared by every api instance) without a
 * Redis round trip per request: an instance reserves a run of the window's numbers at once and
 * hands them out locally. The run is 1/RESERVE_SHARE of what it last saw left in the window (1
 * when few are left, or for a key it has no run of), so:
 * - nobody gets past `max` in a window, over any number of instances (every number is counted
 *   in Redis before it is handed out);
 * - far from the limit, one round trip serves many requests (with the bench's limit, a few per
 *   second instead of one per request: it was the largest part of the api's CPU over a bare
 *   Fastify + pg answering the same query);
 * - near it, the count is exact (runs of 1), as with @fastify/rate-limit's own Redis store;
 * - a client that moves between instances may be refused a little early: numbers reserved by an
 *   instance it left stay unused until the window ends (at most one run per instance, a run
 *   being at most 1/RESERVE_SHARE of what was left).
 * Once the window's count is past `max`, the instance answers "exceeded" from memory until the
 * window ends: a throttled client costs no Redis round trip either.
 *
 * Hand-written because no store of @fastify/rate-limit or rate-limiter-flexible reserves in runs
 * (rate-limiter-flexible's in-memory block covers only the exceeded case).
 */

/** A run is this share of what is left in the window. */
export const RESERVE_SHARE = 32;
/** The longest run, whatever is left. */
export const MAX_RUN = 1_000;
/** Keys kept in memory; beyond it, ended windows go first, then the oldest keys (their unused numbers are given up). */
export const MAX_KEYS = 10_000;

/** INCRBY the run; a new key (or one left without expiry) gets the window; answers the total and the window's ms left. */
const RESERVE = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {total, ttl}
`;

interface Run {
  /** The last number of the window this instance holds (the Redis total right after its INCRBY). */
  last: number;
  /** The next number to hand out; beyond `last`, the run is spent. */
  next: number;
  /** When the window ends, on this process's monotonic clock (performance.now()). */
  endsAt: number;
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface ReserveCommand {
  rateLimitReserve(key: string, run: number, windowMs: number, callback: (error: Error | null, result?: [number, number]) => void): void;
}

export class ReservingRedisStore {
  private readonly runs = new Map<string, Run>();
  /** Requests waiting for the reservation in flight of their key (one per key at a time). */
  private readonly pending = new Map<string, Callback[]>();
  private readonly maxKeys: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: { maxKeys?: number } = {},
  ) {
    this.maxKeys = options.maxKeys ?? MAX_KEYS;
    if (!(redis as unknown as Partial<ReserveCommand>).rateLimitReserve) redis.defineCommand('rateLimitReserve', { numberOfKeys: 1, lua: RESERVE });
  }

  /** Counts one request of `key`; answers its number in the window (over `max` = refused) and the window's ms left. */
  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    const waiting = this.pending.get(key);
    if (waiting) return void waiting.push(callback);
    this.serve(key, [callback], timeWindow, max);
  }

  /**
   * Answers what the key's run can, and reserves once for the rest. The run's size: a share of
   * what was left at this instance's last reservation (1 for a key it holds no run of: its first
   * reservation learns the shared count, so a key dropped from memory, or one of thousands of
   * new addresses, never takes a share it may not use), and at least the requests waiting (near
   * the limit they are served together, not one round trip each).
   */
  private serve(key: string, queue: Callback[], timeWindow: number, max: number): void {
    let served = 0;
    while (served < queue.length && this.take(key, queue[served]!, max)) served++;
    const rest = served === 0 ? queue : queue.slice(served);
    if (rest.length === 0) return;
    const run = this.live(key);
    const share = run ? Math.floor((max - run.last) / RESERVE_SHARE) : 1;
    const size = Math.max(1, Math.min(MAX_RUN, Math.max(share, rest.length)));
    this.pending.set(key, rest);
    const done = (error: Error | null, result?: [number, number]) => {
      const waiting = this.pending.get(key) ?? [];
      this.pending.delete(key);
      if (error || !result) {
        // The INCRBY may still have counted: the next reservation of this key starts at 1 again.
        this.runs.delete(key);
        for (const cb of waiting) cb(error ?? new Error('rate limit: Redis answered nothing'));
        return;
      }
      const [total, ttl] = result;
      // The window's end as seen when the command was SENT: never later than Redis's own.
      this.remember(key, { last: total, next: total - size + 1, endsAt: sentAt + ttl });
      this.serve(key, waiting, timeWindow, max);
    };
    const sentAt = performance.now();
    try {
      (this.redis as unknown as ReserveCommand).rateLimitReserve(this.prefix + key, size, timeWindow, done);
    } catch (error) {
      done(error as Error);
    }
  }

  /** Answers from this instance's run when it can (a number left, or the window already past max). */
  private take(key: string, callback: Callback, max: number): boolean {
    const run = this.live(key);
    if (!run) return false;
    const ttl = Math.max(1, Math.ceil(run.endsAt - performance.now()));
    if (run.next <= run.last) callback(null, { current: run.next++, ttl });
    // Spent, and the window's count already past max: refused until the window ends, no round trip.
    else if (run.last >= max) callback(null, { current: run.last + 1, ttl });
    else return false;
    return true;
  }

  /** The key's run while its window lasts (a monotonic clock: a wall-clock step changes nothing). */
  private live(key: string): Run | undefined {
    const run = this.runs.get(key);
    return run && performance.now() < run.endsAt ? run : undefined;
  }

  /** The window's state without counting (what this instance knows; 0 when it holds no run). */
  read(key: string, callback: Callback): void {
    const run = this.live(key);
    callback(null, run ? { current: run.next - 1, ttl: Math.max(1, Math.ceil(run.endsAt - performance.now())) } : { current: 0, ttl: 0 });
  }

  /** A route's own limit counts under its own keys (the plugin passes the route as `routeInfo`; its types say the route itself). */
  child(options: { routeInfo?: { method?: unknown; url?: string }; method?: unknown; url?: string }): ReservingRedisStore {
    const route = options.routeInfo ?? options;
    return new ReservingRedisStore(this.redis, `${this.prefix}${String(route.method ?? '')}${route.url ?? ''}-`, { maxKeys: this.maxKeys });
  }

  /** Keys held in memory now. */
  get keys(): number {
    return this.runs.size;
  }

  /**
   * Keeps the run; over maxKeys, drops ended windows, then spent runs (nothing to lose), then the
   * oldest — down to 90 % of the cap, so a flood of new keys does not rescan on every insert.
   */
  private remember(key: string, run: Run): void {
    this.runs.delete(key);
    this.runs.set(key, run);
    if (this.runs.size <= this.maxKeys) return;
    const target = Math.floor(this.maxKeys * 0.9);
    const now = performance.now();
    for (const [k, r] of this.runs) if (r.endsAt <= now) this.runs.delete(k);
    for (const [k, r] of this.runs) {
      if (this.runs.size <= target) return;
      if (r.next > r.last && k !== key) this.runs.delete(k);
    }
    for (const k of this.runs.keys()) {
      if (this.runs.size <= target) return;
      if (k !== key) this.runs.delete(k);
    }
  }
}
