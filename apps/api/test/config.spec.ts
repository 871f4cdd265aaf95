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
    expect(config.trustProxy).toBe(false);
    expect(config.workerHosts).toEqual([]);
  });

  it('an instance gets its own data: HYPERNODE_INSTANCE=3 → database hypernode_3 and Redis prefix hypernode_3:; instance 0 keeps hypernode and hypernode:', () => {
    expect(loadConfig({}).redisPrefix).toBe('hypernode:');
    const third = loadConfig({ HYPERNODE_INSTANCE: '3' });
    expect(third.databaseUrl).toMatch(/\/hypernode_3$/);
    expect(third.redisPrefix).toBe('hypernode_3:');
    // Explicit values still win.
    expect(loadConfig({ HYPERNODE_INSTANCE: '3', HYPERNODE_REDIS_PREFIX: 'mine:', DATABASE_URL: 'postgresql://u:p@h:1/x' })).toMatchObject({ redisPrefix: 'mine:', databaseUrl: 'postgresql://u:p@h:1/x' });
  });

  it('HYPERNODE_NETWORK=compose: PostgreSQL and Redis by their compose names; CORS origins stay the browser\'s localhost', () => {
    const config = loadConfig({ HYPERNODE_NETWORK: 'compose', HYPERNODE_PROFILE: 'production' });
    expect(config.databaseUrl).toBe(`postgresql://hypernode:password@postgres:${portFor('postgres', { env: {} })}/hypernode`);
    expect(config.redisUrl).toBe(`redis://redis:${portFor('redis', { env: {} })}`);
    expect(config.corsOrigins).toContain(`http://localhost:${portFor('site', { env: {} })}`);
    expect(config.corsOrigins.join(' ')).not.toMatch(/\/\/(site|llm-deployer):/);
    // <NAME>_HOST moves one peer (the rehearsal maps compose names to 127.0.0.1 this way).
    expect(loadConfig({ HYPERNODE_NETWORK: 'compose', REDIS_HOST: '127.0.0.1' }).redisUrl).toBe(`redis://127.0.0.1:${portFor('redis', { env: {} })}`);
    expect(() => loadConfig({ HYPERNODE_NETWORK: 'docker' })).toThrow(/HYPERNODE_NETWORK="docker" is not valid: expected one of local, compose/);
  });

  it('follows the profile and instance for CORS origins, and takes extra origins', () => {
    const config = loadConfig({ HYPERNODE_INSTANCE: '2', HYPERNODE_CORS_ORIGINS: 'https://hypernodesolana.org, https://x.example' });
    expect(config.corsOrigins).toContain(`http://localhost:${portFor('site', { env: {} }) + 200}`);
    expect(config.corsOrigins).toEqual(expect.arrayContaining(['https://hypernodesolana.org', 'https://x.example']));
  });

  it('starts in production with no secret (keys live in PostgreSQL), trusting the proxy at 127.0.0.1 unless told; refuses bad values', () => {
    const production = loadConfig({ HYPERNODE_PROFILE: 'production', HYPERNODE_WORKER_HOSTS: 'gpu-1.internal, 10.0.0.0/8' });
    expect(production.trustProxy).toEqual(['127.0.0.1']);
    expect(production.workerHosts).toEqual(['gpu-1.internal', '10.0.0.0/8']);
    expect(loadConfig({ HYPERNODE_PROFILE: 'production', HYPERNODE_TRUST_PROXY: '10.0.0.2, 10.1.0.0/16' }).trustProxy).toEqual(['10.0.0.2', '10.1.0.0/16']);
    expect(loadConfig({ HYPERNODE_TRUST_PROXY: '10.0.0.2' }).trustProxy).toBe(false);
    expect(() => loadConfig({ HYPERNODE_TRUST_PROXY: 'nginx' })).toThrow(ConfigError);
    expect(() => loadConfig({ HYPERNODE_TRUST_PROXY: 'nginx' })).toThrow(/HYPERNODE_TRUST_PROXY="nginx" is not valid: expected comma-separated IPs or CIDRs/);
    expect(() => loadConfig({ API_RATE_LIMIT_MAX: 'lots' })).toThrow('api cannot start: API_RATE_LIMIT_MAX="lots" is not valid: expected a whole number of at least 1 (default 600)');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x', API_BODY_LIMIT: '-1' })).toThrow(/DATABASE_URL="mysql:\/\/x" is not valid: expected a postgres or postgresql URL.*API_BODY_LIMIT="-1" is not valid/);
  });

  it("takes an operator's join token, and refuses a malformed one without printing it", () => {
    const token = `hnj_${'a'.repeat(43)}`;
    expect(loadConfig({ HYPERNODE_JOIN_TOKEN: token }).joinToken).toBe(token);
    expect(loadConfig({}).joinToken).toBeUndefined();
    const secret = 'hn_thisIsAnApiKeyPastedByMistake0000000000000000';
    let error: unknown;
    try {
      loadConfig({ HYPERNODE_JOIN_TOKEN: secret, API_RATE_LIMIT_MAX: 'lots' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('HYPERNODE_JOIN_TOKEN');
    expect(message).toContain('API_RATE_LIMIT_MAX'); // every bad variable at once
    expect(message).toContain('openssl rand');
    expect(message).not.toContain(secret);
  });
});
