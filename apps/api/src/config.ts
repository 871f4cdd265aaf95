import { browserOrigins, resolveSettings, urlFor, type Profile } from '@hypernode/ports';
import { ConfigError, env, parseEnv } from '@hypernode/service-kit';
import { defaultDatabaseUrl } from '@hypernode/store';

/** The API's settings, parsed once at start-up. */
export interface ApiConfig {
  profile: Profile;
  /** PostgreSQL connection string. */
  databaseUrl: string;
  /** Redis connection string. */
  redisUrl: string;
  /** Prefix of every Redis key this API writes (tests use their own). */
  redisPrefix: string;
  /** Bearer token GPU workers present; undefined leaves worker endpoints closed (503). */
  workerToken?: string;
  /** Browser origins allowed by CORS: the registry's frontends, plus HYPERNODE_CORS_ORIGINS. */
  corsOrigins: string[];
  /** Requests per minute per client before 429. */
  rateLimitMax: number;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
}

/** The variables the API reads (its one schema; ports and profile come from @hypernode/ports). */
const API_ENV = {
  DATABASE_URL: env.url(undefined, ['postgres', 'postgresql']),
  REDIS_URL: env.url(undefined, ['redis', 'rediss']),
  HYPERNODE_REDIS_PREFIX: env.str('hypernode:'),
  HYPERNODE_WORKER_TOKEN: env.secret(16, false, 'a long random secret shared with the GPU workers, e.g. `openssl rand -hex 32`'),
  API_RATE_LIMIT_MAX: env.int(600, 1),
  API_BODY_LIMIT: env.int(64 * 1024, 1024, 16 * 1024 * 1024),
};

/** Reads the API's settings from the environment; throws ConfigError listing every bad one. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): ApiConfig {
  const { profile } = resolveSettings({ env: source });
  const vars = parseEnv('api', API_ENV, source);
  if (profile === 'production' && !vars.HYPERNODE_WORKER_TOKEN) {
    throw new ConfigError('api', [{ variable: 'HYPERNODE_WORKER_TOKEN', value: undefined, expected: 'the production profile refuses to start without it: set it to a long random secret shared with the GPU workers' }]);
  }
  return {
    profile,
    databaseUrl: vars.DATABASE_URL ?? defaultDatabaseUrl(source),
    redisUrl: vars.REDIS_URL ?? urlFor('redis', { env: source }),
    redisPrefix: vars.HYPERNODE_REDIS_PREFIX,
    workerToken: vars.HYPERNODE_WORKER_TOKEN,
    corsOrigins: browserOrigins({ env: source }),
    rateLimitMax: vars.API_RATE_LIMIT_MAX,
    bodyLimit: vars.API_BODY_LIMIT,
  };
}
