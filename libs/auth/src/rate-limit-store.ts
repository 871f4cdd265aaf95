import type { Redis } from 'ioredis';

/**
 * A store for @fastify/rate-limit that counts in Redis (shared by every api instance) without a
 * Redis round trip per request: an instance reserves a run of the window's numbers at once and
 * hands them out locally. The run is 1/RESERVE_SHARE of what it last saw left in the window (1
 * when few are left), so:
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
  /** When the window ends, in this process's clock. */
  endsAt: number;
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface ReserveCommand {
  rateLimitReserve(key: string, run: number, windowMs: number, callback: (error: Error | null, result?: [number, number]) => void): void;
}

export class ReservingRedisStore {
  private readonly runs = new Map<string, Run>();
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
    // One reservation in flight per key: requests arriving meanwhile wait for its run.
    const waiting = this.pending.get(key);
    if (waiting) return void waiting.push(callback);
    if (this.take(key, callback, max)) return;
    const run = this.live(key);
    const size = Math.max(1, Math.min(MAX_RUN, Math.floor((max - (run?.last ?? 0)) / RESERVE_SHARE)));
    this.pending.set(key, [callback]);
    (this.redis as unknown as ReserveCommand).rateLimitReserve(this.prefix + key, size, timeWindow, (error, result) => {
      const queue = this.pending.get(key) ?? [];
      this.pending.delete(key);
      if (error || !result) {
        for (const cb of queue) cb(error ?? new Error('rate limit: Redis answered nothing'));
        return;
      }
      const [total, ttl] = result;
      this.remember(key, { last: total, next: total - size + 1, endsAt: Date.now() + ttl });
      for (const cb of queue) this.incr(key, cb, timeWindow, max);
    });
  }

  /** Answers from this instance's run when it can (a number left, or the window already past max). */
  private take(key: string, callback: Callback, max: number): boolean {
    const run = this.live(key);
    if (!run) return false;
    const ttl = run.endsAt - Date.now();
    if (run.next <= run.last) callback(null, { current: run.next++, ttl });
    // Spent, and the window's count already past max: refused until the window ends, no round trip.
    else if (run.last >= max) callback(null, { current: run.last + 1, ttl });
    else return false;
    return true;
  }

  private live(key: string): Run | undefined {
    const run = this.runs.get(key);
    return run && Date.now() < run.endsAt ? run : undefined;
  }

  /** The window's state without counting (what this instance knows; 0 when it holds no run). */
  read(key: string, callback: Callback): void {
    const run = this.live(key);
    callback(null, run ? { current: run.next - 1, ttl: run.endsAt - Date.now() } : { current: 0, ttl: 0 });
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

  private remember(key: string, run: Run): void {
    this.runs.delete(key);
    this.runs.set(key, run);
    if (this.runs.size <= this.maxKeys) return;
    const now = Date.now();
    for (const [k, r] of this.runs) if (r.endsAt <= now) this.runs.delete(k);
    for (const k of this.runs.keys()) {
      if (this.runs.size <= this.maxKeys) break;
      this.runs.delete(k);
    }
  }
}
