import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { DeploymentSchema } from './contract.js';
import { Nullable } from './nullable.js';

// Through Fastify's own validator (ajv with formats) and serialiser (fast-json-stringify), as the api uses them.
const app = Fastify();
app.post('/check', { schema: { body: Type.Object({ at: Nullable(Type.String({ format: 'uuid' })), n: Nullable(Type.Integer()) }) } }, async () => ({ ok: true }));
app.post('/echo', { schema: { response: { 200: DeploymentSchema } } }, async (request) => request.body);
afterAll(() => app.close());

const deployment = { id: '7f1d7c3e-4a8a-4c68-9a43-0b0d3f3b2d11', model: 'llama', gpuModel: null, minVramGb: 8, maxDurationS: null, status: 'queued', progress: 0, nodeId: null, error: 'waiting: "no node"', createdAt: '2026-11-27T07:00:00.000Z', updatedAt: '2026-11-27T07:00:00.000Z' };

describe('Nullable', () => {
  it('is one schema with a type array that keeps the inner keywords', () => {
    expect(Nullable(Type.String({ format: 'uuid' }))).toMatchObject({ type: ['string', 'null'], format: 'uuid' });
    expect(JSON.stringify(DeploymentSchema)).not.toContain('anyOf');
  });

  it('accepts the value or null and nothing else', async () => {
    const status = async (body: unknown) => (await app.inject({ method: 'POST', url: '/check', payload: body as object })).statusCode;
    expect(await status({ at: null, n: null })).toBe(200);
    expect(await status({ at: deployment.id, n: 3 })).toBe(200);
    expect(await status({ at: 'nope', n: 3 })).toBe(400);
    expect(await status({ at: null, n: 1.5 })).toBe(400);
    expect(await status({ at: 5, n: null })).toBe(400);
  });

  it('serialises a deployment as JSON.stringify does, nulls included', async () => {
    const echo = async (body: object) => (await app.inject({ method: 'POST', url: '/echo', payload: body })).json();
    expect(await echo(deployment)).toEqual(deployment);
    const placed = { ...deployment, gpuModel: 'A100', maxDurationS: 600, nodeId: deployment.id, error: null };
    expect(await echo(placed)).toEqual(placed);
  });
});
