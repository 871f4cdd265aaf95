import { browserOrigins, resolveSettings, urlFor, type Profile } from '@hypernode/ports';
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

/** A setting that cannot be used; names the variable, the value and the fix. */
export class ApiConfigError extends Error {
  readonly code = 'E_API_CONFIG';
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ApiConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected a whole number above 0 (default ${fallback})`);
  return n;
}

/** Reads the API's settings from the environment; throws ApiConfigError on the first bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const { profile } = resolveSettings({ env });
  const workerToken = env.HYPERNODE_WORKER_TOKEN || undefined;
  if (profile === 'production' && !workerToken) {
    throw new ApiConfigError('HYPERNODE_WORKER_TOKEN is not set: the production profile refuses to start without it. Set it to a long random secret shared with the GPU workers.');
  }
  if (workerToken !== undefined && workerToken.length < 16) {
    throw new ApiConfigError('HYPERNODE_WORKER_TOKEN is shorter than 16 characters: use a long random secret (e.g. `openssl rand -hex 32`).');
  }
  const corsOrigins = browserOrigins({ env });
  return {
    profile,
    databaseUrl: env.DATABASE_URL || defaultDatabaseUrl(env),
    redisUrl: env.REDIS_URL || urlFor('redis', { env }),
    redisPrefix: env.HYPERNODE_REDIS_PREFIX ?? 'hypernode:',
    workerToken,
    corsOrigins,
    rateLimitMax: positiveInt(env, 'API_RATE_LIMIT_MAX', 600),
    bodyLimit: positiveInt(env, 'API_BODY_LIMIT', 64 * 1024),
  };
}
