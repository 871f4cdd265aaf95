import { describe, expect, it } from 'vitest';
import { listServices, portFor } from '@hypernode/ports';
import { ConfigError } from '@hypernode/service-kit';
import { loadAutomationConfig } from './config.js';

describe('loadAutomationConfig', () => {
  it('reaches the api, PostgreSQL and Redis on localhost by default', () => {
    const config = loadAutomationConfig({});
    expect(config.apiUrl).toBe(`http://localhost:${portFor('api', { env: {} })}`);
    expect(config.redisUrl).toBe(`redis://localhost:${portFor('redis', { env: {} })}`);
    expect(config.databaseUrl).toBe(`postgresql://hypernode:password@localhost:${portFor('postgres', { env: {} })}/hypernode`);
  });

  it('reaches them by compose service name under HYPERNODE_NETWORK=compose; explicit URLs still win', () => {
    const env = { HYPERNODE_NETWORK: 'compose', HYPERNODE_PROFILE: 'production' };
    const config = loadAutomationConfig(env);
    expect(config.apiUrl).toBe(`http://api:${portFor('api', { env: {} })}`);
    expect(config.redisUrl).toBe(`redis://redis:${portFor('redis', { env: {} })}`);
    expect(config.databaseUrl).toBe(`postgresql://hypernode:password@postgres:${portFor('postgres', { env: {} })}/hypernode`);
    expect(loadAutomationConfig({ ...env, DATABASE_URL: 'postgresql://u:p@db.internal:6000/x' }).databaseUrl).toBe('postgresql://u:p@db.internal:6000/x');
    expect(loadAutomationConfig(env, 'postgresql://fallback/x').databaseUrl).toBe('postgresql://fallback/x');
  });

  it('its health sweep targets follow the network too (the sweep probes each service on its own host)', () => {
    const targets = listServices({ env: { HYPERNODE_NETWORK: 'compose' } });
    expect(targets.map((s) => s.host)).toEqual(targets.map((s) => s.name));
    expect(listServices({ env: {} }).every((s) => s.host === 'localhost')).toBe(true);
  });

  it('refuses a bad value with the variable, the value and what is expected', () => {
    expect(() => loadAutomationConfig({ API_URL: 'api:3002' })).toThrow(ConfigError);
    expect(() => loadAutomationConfig({ API_URL: 'api:3002' })).toThrow(/API_URL="api:3002" is not valid: expected a http or https URL/);
    expect(() => loadAutomationConfig({ HYPERNODE_NETWORK: 'swarm' })).toThrow(/HYPERNODE_NETWORK="swarm" is not valid: expected one of local, compose/);
  });
});
