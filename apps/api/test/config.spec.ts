import { describe, expect, it } from 'vitest';
import { portFor } from '@hypernode/ports';
import { ConfigError } from '@hypernode/service-kit';
import { loadConfig } from '../src/config.js';

describe('api config', () => {
  it('defaults to the registry: database on the postgres port, Redis URL, frontend origins for CORS', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe(`postgresql://hypernode:password@localhost:${portFor('postgres', { env: {} })}/hypernode`);
    expect(config.redisUrl).toBe(`redis://localhost:${portFor('redis', { env: {} })}`);
    expect(config.corsOrigins).toContain(`http://localhost:${portFor('site', { env: {} })}`);
    expect(config.corsOrigins).toContain(`http://127.0.0.1:${portFor('llm-deployer', { env: {} })}`);
    expect(config.workerToken).toBeUndefined();
  });

  it('follows the profile and instance for CORS origins, and takes extra origins', () => {
    const config = loadConfig({ HYPERNODE_INSTANCE: '2', HYPERNODE_CORS_ORIGINS: 'https://hypernodesolana.org, https://x.example' });
    expect(config.corsOrigins).toContain(`http://localhost:${portFor('site', { env: {} }) + 200}`);
    expect(config.corsOrigins).toEqual(expect.arrayContaining(['https://hypernodesolana.org', 'https://x.example']));
  });

  it('refuses to start in production without a worker token, and refuses short tokens and bad numbers', () => {
    expect(() => loadConfig({ HYPERNODE_PROFILE: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ HYPERNODE_PROFILE: 'production' })).toThrow(/HYPERNODE_WORKER_TOKEN=\(unset\) is not valid: the production profile refuses to start without it/);
    expect(() => loadConfig({ HYPERNODE_WORKER_TOKEN: 'short' })).toThrow(/HYPERNODE_WORKER_TOKEN="short" is not valid: expected a secret of at least 16 characters/);
    expect(() => loadConfig({ API_RATE_LIMIT_MAX: 'lots' })).toThrow('api cannot start: API_RATE_LIMIT_MAX="lots" is not valid: expected a whole number of at least 1 (default 600)');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x', API_BODY_LIMIT: '-1' })).toThrow(/DATABASE_URL="mysql:\/\/x" is not valid: expected a postgres or postgresql URL.*API_BODY_LIMIT="-1" is not valid/);
    expect(loadConfig({ HYPERNODE_PROFILE: 'production', HYPERNODE_WORKER_TOKEN: 'a'.repeat(32) }).profile).toBe('production');
  });
});
