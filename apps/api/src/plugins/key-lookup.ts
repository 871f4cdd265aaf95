import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { createKeyCache, digestHex, isSecretOf, type KeyCache, type SecretPrefix } from '@hypernode/auth';
import { resolveApiKey, resolveNodeCredential, type KeyResolver, type Resolution } from '@hypernode/store';

/** The Redis channel on which an api announces the id of a revoked key or retired node credential to every api instance. */
export const keyRevokedChannel = (prefix: string): string => `${prefix}auth:key-revoked`;

/**
 * API-key (`hn_…`) and node-credential (`hnn_…`) resolution with a short in-process cache, one
 * for both: entries are keyed by the digest of the whole secret and forgotten by principal id
 * (a key's id, a node's id). Sessions are never cached. The bound, written down:
 * - a key revoked through the api (`POST /keys/:id/revoke`), and a node credential the api ends
 *   (`POST /nodes/:id/deregister`, and every `POST /nodes` registration, which rotates an
 *   existing node's credential), stop at once on the instance that did it, and on every other
 *   instance as soon as the announcement arrives over Redis;
 * - any change the instances were not told about (`hypernode keys revoke`, SQL on api_keys or
 *   nodes.credential_hash, `registerNode` called outside the api, a lost message) stops the old
 *   credential within `ttlMs` (API_KEY_CACHE_MS, default 5 s);
 * - while the announcement channel is not subscribed (Redis away, reconnecting) the cache is
 *   emptied and not used: every request resolves its credential in PostgreSQL, as without a cache.
 * An API key's entry never outlives the key's expiry; node credentials have none, only `ttlMs`.
 */
export interface KeyLookup extends KeyResolver {
  resolve(key: string): Promise<Resolution>;
  resolveNode(credential: string): Promise<Resolution>;
  /**
   * The key, or the node's credential, with this id stopped working (after the change committed):
   * forget it now and tell every instance. Never throws.
   */
  revoked(id: string): Promise<void>;
  /** Whether cached answers are used now (the announcement channel is subscribed). */
  live(): boolean;
  readonly cache: KeyCache;
  /** Subscribes to the announcements (until then, and after close, the cache is off); idempotent. */
  start(): void;
  /** Ends the subscription; idempotent. */
  close(): void;
}

/** Creates the lookup; `ttlMs` 0 turns the cache off (every credential is resolved in PostgreSQL). */
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
    s.on('message', (_channel: string, id: string) => cache.forget(id));
  };
  // The answer PostgreSQL gives, reused while subscribed. A lookup that began before a forget or
  // clear (the generation moved) is not cached: it may have read the row before the revocation.
  const cached = async (prefix: SecretPrefix, secret: string, lookup: (pool: Pool, secret: string) => Promise<Resolution>): Promise<Resolution> => {
    if (!subscribed || !isSecretOf(prefix, secret)) return lookup(deps.pool, secret);
    const hex = digestHex(secret);
    const hit = cache.get(hex);
    if (hit) return { principal: hit };
    const generation = cache.generation;
    const resolved = await lookup(deps.pool, secret);
    if (resolved.principal && subscribed && cache.generation === generation) cache.set(hex, resolved.principal, resolved.expiresAt);
    return resolved;
  };
  return {
    cache,
    start,
    live: () => subscribed,
    resolve: (key) => cached('hn_', key, resolveApiKey),
    resolveNode: (credential) => cached('hnn_', credential, resolveNodeCredential),
    async revoked(id) {
      cache.forget(id);
      if (deps.ttlMs > 0) await deps.redis.publish(channel, id).catch(() => undefined);
    },
    close() {
      closed = true;
      down();
      sub?.removeAllListeners('close');
      sub?.disconnect();
    },
  };
}
