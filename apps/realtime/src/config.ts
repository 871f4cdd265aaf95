import { browserOrigins, instanceRedisPrefix, resolveSettings, urlFor } from '@hypernode/ports';
import { env, parseEnv } from '@hypernode/service-kit';

/** The realtime server's settings; every field has a default from the registry or a constant. */
export interface RealtimeConfig {
  /** Redis connection string (default: the registry's redis). */
  redisUrl: string;
  /** Key prefix of the event stream and its epoch (must match the api's). */
  redisPrefix: string;
  /** Browser origins allowed to connect: the registry's frontends plus HYPERNODE_CORS_ORIGINS. */
  allowedOrigins: string[];
  /** Ping interval; a peer that misses one pong is dropped. */
  heartbeatMs: number;
  /** A client whose unsent data passes this many bytes is dropped (it stopped reading). */
  maxBufferedBytes: number;
  /** Largest client frame; bigger closes the connection with 1009. */
  maxPayloadBytes: number;
  /** Events one resume may replay; a client further behind gets `reset` instead. */
  maxReplayEvents: number;
  /** Events read from Redis (and sent) per replay page. */
  replayPageSize: number;
  /** Replays running at once across all connections; more wait their turn. */
  maxConcurrentReplays: number;
  /** Longest a replay waits for a client to read its buffer down before dropping it (4008). */
  replayStallMs: number;
  /** Topics one connection may hold at once. */
  maxTopicsPerConnection: number;
  /** Open connections one client address may hold; more are closed with 4029. */
  maxConnectionsPerAddress: number;
  /** Open connections one principal (key, session, node) may hold, wherever from; more are closed with 4030. */
  maxConnectionsPerPrincipal: number;
  /** The api, asked who each client is (GET /auth/me) before its upgrade. */
  apiUrl: string;
  /** Longest one Redis command may take (commands connection). */
  redisCommandTimeoutMs: number;
  /** How long the follower's XREAD blocks; the epoch is checked at least this often. */
  streamBlockMs: number;
}

/** The variables the realtime server reads (its one schema). */
const REALTIME_ENV = {
  REDIS_URL: env.url(undefined, ['redis', 'rediss']),
  HYPERNODE_REDIS_PREFIX: env.str(undefined),
  REALTIME_HEARTBEAT_MS: env.int(15_000, 10, 600_000),
  REALTIME_MAX_BUFFERED_BYTES: env.int(1024 * 1024, 1024, 1024 ** 3),
  REALTIME_MAX_PAYLOAD_BYTES: env.int(64 * 1024, 256, 16 * 1024 * 1024),
  REALTIME_MAX_REPLAY_EVENTS: env.int(10_000, 0, 10_000_000),
  REALTIME_REPLAY_PAGE_SIZE: env.int(50, 1, 10_000),
  REALTIME_MAX_CONCURRENT_REPLAYS: env.int(2, 1, 1000),
  REALTIME_REPLAY_STALL_MS: env.int(10_000, 10, 600_000),
  REALTIME_MAX_TOPICS: env.int(100, 1, 100_000),
  REALTIME_MAX_CONNECTIONS_PER_ADDRESS: env.int(50, 1, 1_000_000),
  REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL: env.int(20, 1, 1_000_000),
  API_URL: env.url(undefined, ['http', 'https']),
  REALTIME_REDIS_COMMAND_TIMEOUT_MS: env.int(1000, 10, 60_000),
  REALTIME_STREAM_BLOCK_MS: env.int(2000, 10, 60_000),
};

/** Settings from the environment, over the defaults; throws ConfigError listing every bad value. */
export function loadRealtimeConfig(source: NodeJS.ProcessEnv = process.env): RealtimeConfig {
  const v = parseEnv('realtime', REALTIME_ENV, source);
  return {
    redisUrl: v.REDIS_URL ?? urlFor('redis', { env: source }),
    redisPrefix: v.HYPERNODE_REDIS_PREFIX ?? instanceRedisPrefix(resolveSettings({ env: source }).instance),
    allowedOrigins: browserOrigins({ env: source }),
    heartbeatMs: v.REALTIME_HEARTBEAT_MS,
    maxBufferedBytes: v.REALTIME_MAX_BUFFERED_BYTES,
    maxPayloadBytes: v.REALTIME_MAX_PAYLOAD_BYTES,
    maxReplayEvents: v.REALTIME_MAX_REPLAY_EVENTS,
    replayPageSize: v.REALTIME_REPLAY_PAGE_SIZE,
    maxConcurrentReplays: v.REALTIME_MAX_CONCURRENT_REPLAYS,
    replayStallMs: v.REALTIME_REPLAY_STALL_MS,
    maxTopicsPerConnection: v.REALTIME_MAX_TOPICS,
    maxConnectionsPerAddress: v.REALTIME_MAX_CONNECTIONS_PER_ADDRESS,
    maxConnectionsPerPrincipal: v.REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL,
    apiUrl: v.API_URL ?? urlFor('api', { env: source }),
    redisCommandTimeoutMs: v.REALTIME_REDIS_COMMAND_TIMEOUT_MS,
    streamBlockMs: v.REALTIME_STREAM_BLOCK_MS,
  };
}
