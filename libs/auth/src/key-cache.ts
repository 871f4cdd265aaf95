import type { Principal } from './principal.js';

/** Settings of a KeyCache. */
export interface KeyCacheOptions {
  /**
   * Longest a resolved key is reused (default 5000 ms): the bound on how long a revocation
   * that was not announced (CLI, SQL, a lost message) leaves the key working.
   */
  ttlMs?: number;
  /** Most keys kept at once (default 10,000); the oldest entry goes first. */
  max?: number;
  /** Clock, for tests (default Date.now). */
  now?: () => number;
}

/**
 * Resolved API keys and node credentials, reused for a short time so a request with a known
 * secret skips the PostgreSQL lookup. Keyed by the secret's sha256 digest (hex), never the
 * secret itself. An entry never outlives the expiry given to `set` (an API key's; node
 * credentials have none), and `forget(id)` drops every entry whose principal has that id (a
 * revoked key, a node whose credential ended).
 */
export interface KeyCache {
  /** The principal of a key digest, if resolved less than `ttlMs` ago and not forgotten. */
  get(digestHex: string): Principal | undefined;
  /** Remembers a resolved key until `ttlMs` from now or `expiresAt`, whichever is first. */
  set(digestHex: string, principal: Principal, expiresAt?: Date | null): void;
  /** Drops every entry whose principal has this id (a key's or node's: it was revoked); returns how many. */
  forget(keyId: string): number;
  /** Drops everything (e.g. revocations may have been missed). */
  clear(): void;
  readonly size: number;
  readonly ttlMs: number;
  /**
   * Bumped by every forget and clear: a lookup that started before a revocation compares it
   * before `set`, so a key revoked while its lookup was in flight is not cached afresh.
   */
  readonly generation: number;
}

/**
 * A small TTL map. Hand-written rather than lru-cache because it needs `forget` by key id
 * (a second index) and a per-entry deadline from the key's expiry; like the remote-principal
 * cache beside it, insertion order gives "oldest first" for the size bound.
 */
export function createKeyCache(options: KeyCacheOptions = {}): KeyCache {
  const ttlMs = options.ttlMs ?? 5000;
  const max = options.max ?? 10_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new RangeError(`key cache ttlMs ${ttlMs}: expected a whole number of milliseconds ≥ 0 (0 turns the cache off)`);
  const entries = new Map<string, { principal: Principal; until: number }>();
  let generation = 0;
  return {
    get(digestHex) {
      const entry = entries.get(digestHex);
      if (!entry) return undefined;
      if (entry.until <= now()) {
        entries.delete(digestHex);
        return undefined;
      }
      return entry.principal;
    },
    set(digestHex, principal, expiresAt) {
      if (ttlMs === 0) return;
      const until = Math.min(now() + ttlMs, expiresAt ? expiresAt.getTime() : Infinity);
      if (until <= now()) return;
      entries.delete(digestHex);
      entries.set(digestHex, { principal, until });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    forget(keyId) {
      generation += 1;
      let dropped = 0;
      for (const [digestHex, entry] of entries) {
        if (entry.principal.id === keyId) {
          entries.delete(digestHex);
          dropped += 1;
        }
      }
      return dropped;
    },
    clear: () => {
      generation += 1;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
    ttlMs,
    get generation() {
      return generation;
    },
  };
}
