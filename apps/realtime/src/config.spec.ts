import { describe, expect, it } from 'vitest';
import { portFor } from '@hypernode/ports';
import { ConfigError } from '@hypernode/service-kit';
import { loadRealtimeConfig } from './config.js';

describe('loadRealtimeConfig', () => {
  it('has bounded defaults', () => {
    expect(loadRealtimeConfig({})).toMatchObject({ maxReplayEvents: 10_000, replayPageSize: 50, maxConcurrentReplays: 2, maxTopicsPerConnection: 100, maxConnectionsPerAddress: 50, redisCommandTimeoutMs: 1000 });
  });

  it('reaches the api and Redis on localhost by default, by compose service name under HYPERNODE_NETWORK=compose', () => {
    const local = loadRealtimeConfig({});
    expect(local.apiUrl).toBe(`http://localhost:${portFor('api', { env: {} })}`);
    expect(local.redisUrl).toBe(`redis://localhost:${portFor('redis', { env: {} })}`);
    const compose = loadRealtimeConfig({ HYPERNODE_NETWORK: 'compose' });
    expect(compose.apiUrl).toBe(`http://api:${portFor('api', { env: {} })}`);
    expect(compose.redisUrl).toBe(`redis://redis:${portFor('redis', { env: {} })}`);
    expect(compose.allowedOrigins).toContain(`http://localhost:${portFor('site', { env: {} })}`);
    expect(loadRealtimeConfig({ HYPERNODE_NETWORK: 'compose', API_URL: 'http://auth.internal:9000' }).apiUrl).toBe('http://auth.internal:9000');
  });

  it('reads the caps from the environment', () => {
    const config = loadRealtimeConfig({ REALTIME_MAX_REPLAY_EVENTS: '200', REALTIME_MAX_TOPICS: '7', REALTIME_MAX_CONNECTIONS_PER_ADDRESS: '3' });
    expect(config).toMatchObject({ maxReplayEvents: 200, maxTopicsPerConnection: 7, maxConnectionsPerAddress: 3 });
  });

  it.each([
    ['REALTIME_MAX_TOPICS', 'many'],
    ['REALTIME_MAX_TOPICS', '0'],
    ['REALTIME_REPLAY_PAGE_SIZE', '1.5'],
    ['REALTIME_MAX_CONNECTIONS_PER_ADDRESS', '-2'],
    ['REDIS_URL', 'localhost:6379'],
  ])('refuses %s=%s, naming the variable, the value and what is expected', (variable, value) => {
    const load = () => loadRealtimeConfig({ [variable]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`${variable}="${value.replace(/[.]/g, '\\.')}" is not valid: expected .+`));
    try {
      load();
    } catch (error) {
      expect((error as ConfigError).code).toBe('E_CONFIG');
    }
  });
});
