import { browserOrigins, urlFor } from '@hypernode/ports';

/** The realtime server's settings; every field has a default from the registry or a constant. */
export interface RealtimeConfig {
  /** Redis connection string (default: the registry's redis). */
  redisUrl: string;
  /** Key prefix of the event stream (must match the api's). */
  redisPrefix: string;
  /** Browser origins allowed to connect: the registry's frontends plus HYPERNODE_CORS_ORIGINS. */
  allowedOrigins: string[];
  /** Ping interval; a peer that misses one pong is dropped. */
  heartbeatMs: number;
  /** A client whose unsent data passes this many bytes is dropped (it stopped reading). */
  maxBufferedBytes: number;
  /** Largest client frame; bigger closes the connection with 1009. */
  maxPayloadBytes: number;
}

/** Settings from the environment, over the defaults. */
export function loadRealtimeConfig(env: NodeJS.ProcessEnv = process.env): RealtimeConfig {
  return {
    redisUrl: env.REDIS_URL || urlFor('redis', { env }),
    redisPrefix: env.HYPERNODE_REDIS_PREFIX ?? 'hypernode:',
    allowedOrigins: browserOrigins({ env }),
    heartbeatMs: 15_000,
    maxBufferedBytes: 1024 * 1024,
    maxPayloadBytes: 64 * 1024,
  };
}
