import { describe, expect, it } from 'vitest';
import { portFor } from '@hypernode/ports';
import { ConfigError } from '@hypernode/service-kit';
import { loadWorkerConfig } from './config.js';

const TOKEN = 'hnj_abcdefghijklmnopqrstuvwxyz012345';

describe('loadWorkerConfig', () => {
  it('registers with the api on localhost and advertises itself there by default', () => {
    const config = loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: TOKEN }, 8181);
    expect(config.apiUrl).toBe(`http://localhost:${portFor('api', { env: {} })}`);
    expect(config.advertiseUrl).toBe('http://localhost:8181');
    expect(config.name).toBe('gpu-worker-8181');
  });

  it('under HYPERNODE_NETWORK=compose: the api by its service name, and a URL the engine can reach (not its own localhost)', () => {
    const config = loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: TOKEN, HYPERNODE_NETWORK: 'compose' }, 8080);
    expect(config.apiUrl).toBe(`http://api:${portFor('api', { env: {} })}`);
    expect(config.advertiseUrl).toBe('http://gpu-worker:8080');
  });

  it('takes its advertised host or whole URL from GPU_WORKER_HOST / GPU_WORKER_ADVERTISE_URL', () => {
    expect(loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: TOKEN, HYPERNODE_NETWORK: 'compose', GPU_WORKER_HOST: 'fd00::8' }, 8080).advertiseUrl).toBe('http://[fd00::8]:8080');
    expect(loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: TOKEN, GPU_WORKER_ADVERTISE_URL: 'https://gpu-7.internal:9443' }, 8080).advertiseUrl).toBe('https://gpu-7.internal:9443');
    expect(() => loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: TOKEN, GPU_WORKER_ADVERTISE_URL: 'gpu-7:8080' }, 8080)).toThrow(/GPU_WORKER_ADVERTISE_URL="gpu-7:8080" is not valid: expected a http or https URL/);
  });

  it('without a join token it refuses to start, hiding the value', () => {
    expect(() => loadWorkerConfig({}, 8080)).toThrow(ConfigError);
    expect(() => loadWorkerConfig({}, 8080)).toThrow(/HYPERNODE_JOIN_TOKEN=\(unset\) is not valid/);
    const pasted = 'hn_secretapikey0123456789';
    expect(() => loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: pasted }, 8080)).toThrow(`HYPERNODE_JOIN_TOKEN="hn_s… (${pasted.length} characters, hidden)"`);
    expect(() => loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: pasted }, 8080)).not.toThrow(pasted);
  });
});
