import { Redis } from 'ioredis';
import type { RealtimeConfig } from './config.js';

/** Reconnect delay: quick at first, never more than 2 s apart, forever (the follower and /ready say how it goes). */
const retryStrategy = (times: number) => Math.min(50 * 2 ** Math.min(times, 10), 2000);

/**
 * The two Redis connections: `commands` (replays, epoch checks, /ready) and `reader` (the
 * follower's blocking XREAD, which would hold up any other command on its connection).
 *
 * Every call is bounded. Offline queue OFF on both: while Redis is away a command fails at once
 * instead of waiting for a reconnect, so /ready answers 503 straight away, a resume is closed with
 * 1013 (the client retries with backoff) and nothing piles up in memory; the follower retries on
 * its own schedule. A command already sent gets one retry after a reconnect, then fails.
 */
export function createRedisConnections(config: RealtimeConfig): { commands: Redis; reader: Redis } {
  const common = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(config.redisCommandTimeoutMs, 1000),
    retryStrategy,
  };
  const commands = new Redis(config.redisUrl, { ...common, commandTimeout: config.redisCommandTimeoutMs, connectionName: 'realtime-commands' });
  // A command timeout would cut every BLOCK short; a blackholed connection still resolves the XREAD
  // (as "nothing new") one command timeout after its BLOCK ends.
  const reader = new Redis(config.redisUrl, { ...common, blockingTimeout: config.streamBlockMs, blockingTimeoutGrace: config.redisCommandTimeoutMs, connectionName: 'realtime-reader' });
  for (const r of [reader, commands]) r.on('error', () => undefined); // reconnects on its own; /ready and the follower report it
  return { commands, reader };
}
