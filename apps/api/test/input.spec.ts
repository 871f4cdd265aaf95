import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { bearer, startTestApi } from './harness.js';
import { createJoinToken } from '@hypernode/store';

// 150 per property by default; INPUT_RUNS=10000 for the fault-suite size.
const RUNS = Number(process.env.INPUT_RUNS ?? 150);

let api: Awaited<ReturnType<typeof startTestApi>>;
let nodeId: string;
let deploymentId: string;
/** Headers: an admin key (deployments) and the fuzz node's credential (its own reports), a join token (registration). */
let admin: Record<string, string>;
let nodeAuth: Record<string, string>;
let joinAuth: Record<string, string>;
beforeAll(async () => {
  api = await startTestApi({ rateLimitMax: 1_000_000 });
  admin = api.as.admin;
  const fuzz = await api.registerNode('fuzz');
  nodeId = fuzz.id;
  nodeAuth = fuzz.auth;
  joinAuth = bearer((await createJoinToken(api.pool, { uses: 1_000_000, ttlS: 3600 })).token);
  deploymentId = (await api.app.inject({ method: 'POST', url: '/deployments', headers: admin, payload: { model: 'fuzz', minVramGb: 1 } })).json().id;
  await api.pool.query("UPDATE deployments SET status = 'running', node_id = $2 WHERE id = $1", [deploymentId, nodeId]);
});
afterAll(async () => {
  await api?.close();
});

/** Strings with the characters that broke things: NUL, controls, lone surrogates, separators. */
const nasty = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('\u0000', 'a\u0000b', '\u001f', '\u007f', '\ud800', '|', '', ' ', 'x'.repeat(300)), fc.string({ maxLength: 20 }));
const isoish = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'Tue, 01 Jan 2030 00:00:00 GMT', '2026-02-30T00:00:00.000000Z', '0000-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', '1', 'infinity'),
  nasty,
);
const uuidish = fc.oneof(fc.uuid(), fc.constantFrom('00000000-0000-4000-8000-000000000000', 'urn:uuid:00000000-0000-4000-8000-000000000000', '---------------------------------...'), nasty);
/** Cursors: raw strings, and base64url of "<date-like>|<uuid-like>" that get past a loose check. */
const cursor = fc.oneof(nasty, fc.tuple(isoish, uuidish).map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64url')), fc.tuple(isoish, uuidish).map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64')));
const json = fc.jsonValue({ maxDepth: 2 });
const anyValue = fc.oneof(nasty, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), json);
/** Bodies near the real shapes, with any field replaced by anything. */
const deploymentBody = fc.record({ model: fc.oneof(nasty, anyValue), gpuModel: fc.oneof(nasty, anyValue), minVramGb: fc.oneof(fc.double(), anyValue), maxDurationS: fc.oneof(fc.integer(), anyValue) }, { requiredKeys: [] });
const nodeBody = fc.record({ name: fc.oneof(nasty, anyValue), gpuModel: fc.oneof(nasty, anyValue), vramGb: fc.oneof(fc.double(), anyValue), workerUrl: fc.oneof(nasty, fc.webUrl(), fc.webUrl().map((u) => `${u}\u0000`), anyValue) }, { requiredKeys: [] });
const progressBody = fc.record({ status: fc.oneof(fc.constantFrom('running', 'completed', 'failed', 'queued'), anyValue), progress: fc.oneof(fc.double(), anyValue), error: fc.oneof(nasty, anyValue) }, { requiredKeys: [] });
const beatBody = fc.record({ load: fc.oneof(fc.double(), anyValue), freeVramGb: fc.oneof(fc.double(), anyValue) }, { requiredKeys: [] });

async function statusOf(request: InjectOptions): Promise<number> {
  const res = await api.app.inject(request);
  if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${JSON.stringify(request)}: ${res.body}`);
  return res.statusCode;
}

describe('generated input never gets a 5xx', () => {
  it('cursors, limits and filters on GET /deployments and GET /nodes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/deployments', '/nodes'), cursor, fc.option(nasty), fc.option(nasty), async (path, c, limit, status) => {
        const query = new URLSearchParams({ cursor: c, ...(limit !== null ? { limit } : {}), ...(status !== null ? { status } : {}) });
        await statusOf({ method: 'GET', url: `${path}?${query}`, headers: admin });
      }),
      { numRuns: RUNS },
    );
  });

  it('a cursor of the right shape whose date PostgreSQL cannot cast is 400, not 500', async () => {
    for (const at of ['275760-09-13T00:00:00.000000Z', '2026-02-30T00:00:00.000000Z', '+275760-09-13T00:00:00.000Z']) {
      const c = Buffer.from(`${at}|00000000-0000-4000-8000-000000000000`).toString('base64url');
      expect(await statusOf({ method: 'GET', url: `/deployments?cursor=${c}`, headers: admin })).toBe(400);
      expect(await statusOf({ method: 'GET', url: `/nodes?cursor=${c}`, headers: admin })).toBe(400);
    }
  });

  it('bodies of POST /deployments and POST /nodes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(deploymentBody.map((b) => ['/deployments', b] as const), nodeBody.map((b) => ['/nodes', b] as const)), async ([url, payload]) => {
        await statusOf({ method: 'POST', url, payload, headers: url === '/nodes' ? joinAuth : admin });
      }),
      { numRuns: RUNS },
    );
  });

  it('NUL and control characters in names are 400; in a failure reason they are stripped', async () => {
    for (const model of ['a\u0000b', 'line\nbreak', '\u007f']) expect(await statusOf({ method: 'POST', url: '/deployments', headers: admin, payload: { model, minVramGb: 1 } })).toBe(400);
    expect(await statusOf({ method: 'POST', url: '/nodes', headers: joinAuth, payload: { name: 'n', gpuModel: 'A\u0000', vramGb: 1, workerUrl: 'http://x/' } })).toBe(400);
    const { id } = (await api.app.inject({ method: 'POST', url: '/deployments', headers: admin, payload: { model: 'nul', minVramGb: 1 } })).json();
    await api.pool.query("UPDATE deployments SET status = 'running', node_id = $2 WHERE id = $1", [id, nodeId]);
    expect(await statusOf({ method: 'POST', url: `/deployments/${id}/progress`, headers: nodeAuth, payload: { status: 'failed', error: 'bad\u0000' } })).toBe(200);
    expect((await api.pool.query('SELECT error FROM deployments WHERE id = $1', [id])).rows[0].error).toBe('bad');
  });

  it('absurd and non-ASCII credentials are 401, never 500', async () => {
    const tokens = fc.oneof(nasty, fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constantFrom('hn_ħ', `hn_${'a'.repeat(43)}`, `hnn_${'é'.repeat(43)}`, 'hnj_', 'Bearer', 'x'.repeat(5000)));
    await fc.assert(
      fc.asyncProperty(tokens, fc.constantFrom('bearer', 'raw', 'cookie'), async (token, how) => {
        const headers: Record<string, string> = how === 'bearer' ? { authorization: `Bearer ${token}` } : how === 'raw' ? { authorization: token } : { cookie: `hn_session=${encodeURIComponent(Buffer.from(token).toString())}` };
        let status: number;
        try {
          status = await statusOf({ method: 'POST', url: `/deployments/${deploymentId}/cancel`, headers });
        } catch (error) {
          if (/Invalid character in header/.test(String(error))) return; // the HTTP layer refuses it before the app sees it
          throw error;
        }
        expect(status).toBe(401);
      }),
      { numRuns: RUNS },
    );
  });

  it('ids in paths, progress reports and heartbeats', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(uuidish, fc.constant(deploymentId), fc.constant(nodeId)), progressBody, beatBody, async (id, progress, beat) => {
        const at = encodeURIComponent(Buffer.from(id).toString()); // a URL cannot carry a lone surrogate
        await statusOf({ method: 'GET', url: `/deployments/${at}`, headers: admin });
        await statusOf({ method: 'GET', url: `/nodes/${at}`, headers: admin });
        await statusOf({ method: 'POST', url: `/deployments/${at}/progress`, payload: progress, headers: nodeAuth });
        await statusOf({ method: 'POST', url: `/nodes/${at}/heartbeat`, payload: beat, headers: nodeAuth });
      }),
      { numRuns: RUNS },
    );
  });
});
