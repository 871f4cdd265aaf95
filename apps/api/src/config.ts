import { isIP } from 'node:net';
import { z } from 'zod';
import { browserOrigins, instanceRedisPrefix, resolveSettings, urlFor, type Profile } from '@hypernode/ports';
import { isSecretOf } from '@hypernode/auth';
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
  /** Browser origins allowed by CORS, and the only origins a cookie-authenticated change may come from. */
  corsOrigins: string[];
  /** Requests per minute per principal (per address when anonymous) before 429. */
  rateLimitMax: number;
  /**
   * How long a resolved API key or node credential is reused in memory (API_KEY_CACHE_MS, default
   * 5000; 0 = off): a revocation the api did not announce stops it within this bound (plugins/key-lookup.ts).
   */
  keyCacheMs: number;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** Proxies whose X-Forwarded-* headers are believed: production only (HYPERNODE_TRUST_PROXY); false elsewhere. */
  trustProxy: string[] | false;
  /** Hosts and CIDRs workers may register outside development (HYPERNODE_WORKER_HOSTS). */
  workerHosts: string[];
  /**
   * A join token the operator chose (HYPERNODE_JOIN_TOKEN, as compose passes it to the api and
   * the workers): the api stores its digest at start, so workers can register where no CLI
   * reaches the database. Unset in development (`npm start` makes one in .hypernode/).
   */
  joinToken?: string;
}

/** A fresh join token for an operator, printed by the error below. */
export const NEW_JOIN_TOKEN_COMMAND = `echo "hnj_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')"`;

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Comma-separated IPs or CIDRs. */
const addresses = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const items = list(v ?? fallback);
      const bad = items.filter((item) => {
        const [ip, bits, extra] = item.split('/');
        return extra !== undefined || !ip || isIP(ip) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits));
      });
      if (items.length > 0 && bad.length === 0) return items;
      ctx.addIssue({ code: 'custom', message: `expected comma-separated IPs or CIDRs of the reverse proxy, e.g. 127.0.0.1 or 10.0.0.0/8 (default ${fallback})` });
      return z.NEVER;
    });

/** The variables the API reads (its one schema; ports and profile come from @hypernode/ports). */
const API_ENV = {
  DATABASE_URL: env.url(undefined, ['postgres', 'postgresql']),
  REDIS_URL: env.url(undefined, ['redis', 'rediss']),
  HYPERNODE_REDIS_PREFIX: env.str(undefined),
  HYPERNODE_TRUST_PROXY: addresses('127.0.0.1'),
  HYPERNODE_WORKER_HOSTS: z.string().optional().transform(list),
  API_RATE_LIMIT_MAX: env.int(600, 1),
  API_BODY_LIMIT: env.int(64 * 1024, 1024, 16 * 1024 * 1024),
  API_KEY_CACHE_MS: env.int(5000, 0, 60_000),
};

/**
 * Reads the API's settings from the environment; throws ConfigError listing every bad one.
 * No profile needs a secret to start: keys, sessions and node credentials live in PostgreSQL.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): ApiConfig {
  const { profile } = resolveSettings({ env: source });
  const token = source.HYPERNODE_JOIN_TOKEN || undefined;
  // Checked apart from the schema so that a wrong value (a pasted API key?) is never printed.
  const tokenProblem =
    token !== undefined && !isSecretOf('hnj_', token as unknown)
      ? { variable: 'HYPERNODE_JOIN_TOKEN', value: `${token.slice(0, 4)}… (${token.length} characters, hidden)`, expected: `a join token: hnj_ and 43 base64url characters, e.g. from ${NEW_JOIN_TOKEN_COMMAND}` }
      : undefined;
  let vars;
  try {
    vars = parseEnv('api', API_ENV, source);
  } catch (error) {
    if (error instanceof ConfigError && tokenProblem) throw new ConfigError('api', [tokenProblem, ...error.problems]);
    throw error;
  }
  if (tokenProblem) throw new ConfigError('api', [tokenProblem]);
  return {
    profile,
    databaseUrl: vars.DATABASE_URL ?? defaultDatabaseUrl(source),
    redisUrl: vars.REDIS_URL ?? urlFor('redis', { env: source }),
    redisPrefix: vars.HYPERNODE_REDIS_PREFIX ?? instanceRedisPrefix(resolveSettings({ env: source }).instance),
    corsOrigins: browserOrigins({ env: source }),
    rateLimitMax: vars.API_RATE_LIMIT_MAX,
    bodyLimit: vars.API_BODY_LIMIT,
    keyCacheMs: vars.API_KEY_CACHE_MS,
    trustProxy: profile === 'production' ? vars.HYPERNODE_TRUST_PROXY : false,
    workerHosts: vars.HYPERNODE_WORKER_HOSTS,
    joinToken: token,
  };
}
