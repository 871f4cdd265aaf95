import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@hypernode/service-kit';
import { ApiClient } from '../src/api-client.js';
import { buildApp } from '../src/app.js';
import { loadWorkerConfig } from '../src/config.js';
import { GpuWorker } from '../src/worker.js';

const TOKEN = 'worker-test-token-0123456789';
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A stand-in api that answers registration and heartbeats while `up` is true. */
async function fakeApi(state: { up: boolean }): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (!state.up) return res.socket?.destroy();
    res.writeHead(req.url === '/nodes' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: '00000000-0000-4000-8000-000000000001', name: 'w' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('gpu-worker /health and /ready', () => {
  it('is live at once, ready only once registered, and not ready when the api stops answering heartbeats', async () => {
    const state = { up: false };
    const apiUrl = await fakeApi(state);
    const config = { ...loadWorkerConfig({ HYPERNODE_WORKER_TOKEN: TOKEN, API_URL: apiUrl, GPU_WORKER_HEARTBEAT_MS: '100' }, 1), name: 'w' };
    const worker = new GpuWorker(config, new ApiClient(apiUrl, TOKEN));
    const app = buildApp({ worker, token: TOKEN });
    cleanup.push(() => app.close(), () => worker.shutdown());
    expect((await app.inject({ url: '/health' })).json()).toMatchObject({ status: 'ok', service: 'gpu-worker', gpu: 'simulated' });
    const before = await app.inject({ url: '/ready' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({ status: 'unavailable', message: expect.stringMatching(/^gpu-worker not ready: api \(not registered with the api at http/) });
    state.up = true;
    await worker.start('http://127.0.0.1:1/');
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
    state.up = false;
    await new Promise((r) => setTimeout(r, 500));
    const silent = await app.inject({ url: '/ready' });
    expect(silent.statusCode).toBe(503);
    expect(silent.json().message).toMatch(/api has not answered a heartbeat/);
  });

  it('refuses bad settings naming each variable', () => {
    expect(() => loadWorkerConfig({}, 1)).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ HYPERNODE_WORKER_TOKEN: TOKEN, GPU_WORKER_VRAM_GB: '0', API_URL: 'ftp://x' }, 1)).toThrow(/API_URL="ftp:\/\/x" is not valid.*GPU_WORKER_VRAM_GB="0" is not valid: expected a number 1–4096/);
  });
});
