import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { createKeyCache, digestHex, isSecretOf, type KeyCache } from '@hypernode/auth';
import { resolveApiKey, type Resolution } from '@hypernode/store';

/** The Redis channel on which an api announces a revoked key's id to every api instance. */
export const keyRevokedChannel = (prefix: string): string => `${prefix}auth:key-revoked`;

/**
 * API-key resolution with a short in-process cache. The bound, written down:
 * - a key revoked through the api (`POST /keys/:id/revoke`) stops at once on the instance that
 *   revoked it, and on every other instance as soon as the announcement arrives over Redis;
 * - any revocation the instances were not told about (`hypernode keys revoke`, SQL, a lost
 *   message) stops the key within `ttlMs` (API_KEY_CACHE_MS, default 5 s);
 * - while the announcement channel is not subscribed (Redis away, reconnecting) the cache is
 *   emptied and not used: every request resolves its key in PostgreSQL, as without a cache.
 */
export interface KeyLookup {
  resolve(key: string): Promise<Resolution>;
  /** The key was revoked here: forget it now and tell every instance. Never throws. */
  revoked(keyId: string): Promise<void>;
  /** Whether cached answers are used now (the announcement channel is subscribed). */
  live(): boolean;
  readonly cache: KeyCache;
  /** Subscribes to the announcements (until then, and after close, the cache is off); idempotent. */
  start(): void;
  /** Ends the subscription; idempotent. */
  close(): void;
}

/** Creates the lookup; `ttlMs` 0 turns the cache off (every key is resolved in PostgreSQL). */
export function createKeyLookup(deps: { pool: Pool; redis: Redis; prefix: string; ttlMs: number }): KeyLookup {
  const cache = createKeyCache({ ttlMs: deps.ttlMs });
  const channel = keyRevokedChannel(deps.prefix);
  let subscribed = false;
  let sub: Redis | undefined;
  let closed = false;
  const down = () => {
    subscribed = false;
    cache.clear();
  };
  const start = () => {
    if (sub || closed || deps.ttlMs === 0) return;
    // A subscribed connection serves nothing else, so it is its own (same options, bounded commands).
    const s = deps.redis.duplicate();
    sub = s;
    s.on('error', () => undefined); // reconnects on its own; while down the cache is off
    s.on('close', down);
    s.on('ready', () => {
      s.subscribe(channel).then(
        () => (subscribed = s.status === 'ready'),
        () => down(),
      );
    });
    s.on('message', (_channel: string, keyId: string) => cache.forget(keyId));
  };
  return {
    cache,
    start,
    live: () => subscribed,
    async resolve(key) {
      if (!subscribed || !isSecretOf('hn_', key)) return resolveApiKey(deps.pool, key);
      const hex = digestHex(key);
      const hit = cache.get(hex);
      if (hit) return { principal: hit };
      const generation = cache.generation;
      const resolved = await resolveApiKey(deps.pool, key);
      if (resolved.principal && subscribed && cache.generation === generation) cache.set(hex, resolved.principal, resolved.expiresAt);
      return resolved;
    },
    async revoked(keyId) {
      cache.forget(keyId);
      if (deps.ttlMs > 0) await deps.redis.publish(channel, keyId).catch(() => undefined);
    },
    close() {
      closed = true;
      down();
      sub?.removeAllListeners('close');
      sub?.disconnect();
    },
  };
}
