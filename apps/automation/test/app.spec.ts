import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { Engine } from '../src/engine.js';

const runs: Array<[string, unknown]> = [];
const engine = {
  run: async (name: string, data: unknown) => {
    runs.push([name, data]);
    return { id: String(runs.length) } as Job;
  },
} as unknown as Engine;
const app = buildApp({ engine, pool: {} as Pool });
beforeAll(() => app.ready());
afterAll(() => app.close());

const run = (name: string, body?: object) => app.inject({ method: 'POST', url: `/workflows/${encodeURIComponent(name)}/run`, payload: body });

describe('POST /workflows/:name/run', () => {
  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty', 'nope'])('answers 404 for %s, which is not a workflow', async (name) => {
    const res = await run(name);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found', message: expect.stringContaining('deploy, node-watchdog') });
  });

  it.each([
    ['dashes only', '------------------------------------'],
    ['no dashes', 'a'.repeat(36)],
    ['a number', 42],
    ['a uuid with a suffix', `${randomUUID()}x`],
    ['missing', undefined],
  ])('answers 400 for a deploymentId that is %s', async (_what, deploymentId) => {
    const res = await run('deploy', { deploymentId });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('deploymentId') });
  });

  it('runs deploy for a strict UUID, and maintenance workflows without data', async () => {
    runs.length = 0;
    const id = randomUUID();
    expect((await run('deploy', { deploymentId: id })).statusCode).toBe(202);
    expect((await run('prune-events')).statusCode).toBe(202);
    expect(runs).toEqual([
      ['deploy', { deploymentId: id }],
      ['prune-events', {}],
    ]);
  });
});
