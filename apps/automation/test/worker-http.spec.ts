import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeploymentRecord, NodeRecord } from '@hypernode/events';
import { dispatchToWorker, sanitisedReason, workerHasJob } from '../src/workflows/worker-http.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A node whose worker is `handler`, on port 0. */
async function nodeServedBy(handler: Parameters<typeof createServer>[1]): Promise<NodeRecord> {
  server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const workerUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  return { id: 'n', name: 'w1', gpuModel: 'SIM', vramGb: 80, freeVramGb: 80, load: 0, workerUrl, status: 'online', lastHeartbeatAt: '', createdAt: '' };
}
const deployment = { id: '0b6f3c1e-8a2d-4f5e-9c7b-1d2e3f4a5b6c', model: 'm', minVramGb: 8 } as DeploymentRecord;

describe('sanitisedReason', () => {
  it('keeps the status and at most 200 printable characters', () => {
    const reason = sanitisedReason(500, `\u0000<html>\n${'x'.repeat(1000)}\u001b[0m`);
    expect(reason.startsWith('500: <html> xxx')).toBe(true);
    expect(reason.length).toBeLessThanOrEqual('500: '.length + 200);
    expect([...reason].every((c) => (c >= ' ' && c <= '~') || c === '…')).toBe(true);
  });
  it("prefers a JSON error body's message", () => {
    expect(sanitisedReason(409, JSON.stringify({ statusCode: 409, message: 'busy with another', secret: 'token' }))).toBe('409: busy with another');
  });
});

describe('worker calls never follow a redirect past the host rule', () => {
  it('a worker answering 307 to another host is a refusal; nothing reaches that host', async () => {
    const captured: string[] = [];
    const capture = createServer((req, res) => {
      captured.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(500).end('internal secret page');
    });
    capture.listen(0, '127.0.0.1');
    await once(capture, 'listening');
    const target = `http://127.0.0.1:${(capture.address() as { port: number }).port}/internal`;
    try {
      const node = await nodeServedBy((_req, res) => res.writeHead(307, { location: target }).end());
      const outcome = await dispatchToWorker(node, deployment, { secret: 'hnd_secret', timeoutMs: 2000 });
      expect(outcome).toMatchObject({ ok: false, reason: expect.stringMatching(/refused it \(307/) });
      expect(outcome.ok ? '' : outcome.reason).not.toMatch(/internal secret page/);
      expect(await workerHasJob(node, deployment.id, { secret: 'hnd_secret', timeoutMs: 2000 })).toBe('unknown');
      expect(captured).toEqual([]);
    } finally {
      capture.closeAllConnections();
      await new Promise((r) => capture.close(r));
    }
  });
});

describe('worker calls are bounded', () => {
  it('a worker that never answers a dispatch is "unreachable" after the timeout', async () => {
    const node = await nodeServedBy(() => undefined);
    const outcome = await dispatchToWorker(node, deployment, { secret: 'hnd_test', timeoutMs: 200 });
    expect(outcome).toEqual({ ok: false, reason: 'node w1 unreachable (no answer within 200 ms)' });
  });

  it('a worker that sends headers then stalls its body is cut off by the same timeout', async () => {
    const node = await nodeServedBy((_req, res) => {
      res.writeHead(500);
      res.write('partial');
    });
    const outcome = await dispatchToWorker(node, deployment, { secret: 'hnd_test', timeoutMs: 200 });
    expect(outcome.ok).toBe(false);
  });

  it('workerHasJob: yes on 200, no on 404, unknown when it cannot tell', async () => {
    const node = await nodeServedBy((req, res) => {
      if (req.url === `/jobs/${deployment.id}`) res.writeHead(200).end('{}');
      else if (req.url === '/jobs/gone') res.writeHead(404).end();
      else if (req.url === '/jobs/slow') return;
      else res.writeHead(503).end();
    });
    expect(await workerHasJob(node, deployment.id, { secret: 'hnd_test', timeoutMs: 500 })).toBe('yes');
    expect(await workerHasJob(node, 'gone', { secret: 'hnd_test', timeoutMs: 500 })).toBe('no');
    expect(await workerHasJob(node, 'slow', { secret: 'hnd_test', timeoutMs: 100 })).toBe('unknown');
    expect(await workerHasJob(node, 'other', { secret: 'hnd_test', timeoutMs: 500 })).toBe('unknown');
  });
});
