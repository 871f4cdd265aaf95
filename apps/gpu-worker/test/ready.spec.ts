import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@hypernode/service-kit';
import { ApiClient } from '../src/api-client.js';
import { buildApp } from '../src/app.js';
import { loadWorkerConfig } from '../src/config.js';
import { GpuWorker } from '../src/worker.js';
import { JOIN_TOKEN, startFakeApi } from './fake-api.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('gpu-worker /health and /ready', () => {
  it('is live at once, ready only once registered, and not ready when the api stops answering heartbeats', async () => {
    const api = await startFakeApi();
    api.state.up = false;
    cleanup.push(api.close);
    const config = { ...loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: JOIN_TOKEN, API_URL: api.url, GPU_WORKER_HEARTBEAT_MS: '100' }, 1), name: 'w' };
    const worker = new GpuWorker(config, new ApiClient(api.url));
    const app = buildApp({ worker });
    cleanup.push(() => app.close(), () => worker.shutdown());
    expect((await app.inject({ url: '/health' })).json()).toMatchObject({ status: 'ok', service: 'gpu-worker', gpu: 'simulated' });
    const before = await app.inject({ url: '/ready' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({ status: 'unavailable', message: expect.stringMatching(/^gpu-worker not ready: api \(not registered with the api at http/) });
    api.state.up = true;
    await worker.start('http://127.0.0.1:1/');
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
    api.state.up = false;
    await new Promise((r) => setTimeout(r, 500));
    const silent = await app.inject({ url: '/ready' });
    expect(silent.statusCode).toBe(503);
    expect(silent.json().message).toMatch(/api has not answered a heartbeat/);
  });

  it('refuses bad settings naming each variable, and a missing join token with where to get one', () => {
    expect(() => loadWorkerConfig({}, 1)).toThrow(ConfigError);
    expect(() => loadWorkerConfig({}, 1)).toThrow(/HYPERNODE_JOIN_TOKEN=\(unset\) is not valid: .*`npm start` provides one; otherwise ask an admin: `npx hypernode join-tokens create`/);
    // A wrong secret (an API key pasted by mistake) is named, never printed.
    const pasted = 'hn_not-a-join-token-0123456789';
    expect(() => loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: pasted }, 1)).toThrow(/HYPERNODE_JOIN_TOKEN="hn_n… \(30 characters, hidden\)" is not valid/);
    expect(() => loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: pasted }, 1)).not.toThrow(/join-token-0123/);
    expect(() => loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: JOIN_TOKEN, GPU_WORKER_VRAM_GB: '0', API_URL: 'ftp://x' }, 1)).toThrow(/API_URL="ftp:\/\/x" is not valid.*GPU_WORKER_VRAM_GB="0" is not valid: expected a number 1–4096/);
  });
});
