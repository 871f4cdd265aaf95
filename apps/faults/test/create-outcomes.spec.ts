import { describe, expect, it } from 'vitest';
import { createOutcomes } from '../src/harness/create-outcomes.js';
import type { LoadSample } from '../src/harness/load.js';

// postgres-blackhole's judgement of its creates against the rows stored (the link went dark at t = 1000).
const sample = (status: number, sentAt: number): LoadSample => ({ route: 'POST /deployments', sentAt, latencyMs: 10, status });
const creates = new Map([
  ['m0', sample(201, 100)],
  ['m1', sample(503, 990)],
  ['m2', sample(503, 1500)],
  ['m3', sample(201, 200)],
]);

describe('postgres-blackhole: what became of the creates', () => {
  it('passes every acknowledged create stored once, and a stored create without its 201 sent before the link went dark', () => {
    expect(createOutcomes(creates, [{ model: 'm0', n: 1 }, { model: 'm1', n: 1 }, { model: 'm3', n: 1 }], 1000)).toEqual({ acked: 2, rows: 3, lost: [], twice: [], unacked: ['m1'], unexplained: [] });
  });
  it('names an acknowledged create that is not stored, one stored twice, and one stored though sent into the dark link', () => {
    const outcome = createOutcomes(creates, [{ model: 'm0', n: 2 }, { model: 'm2', n: 1 }, { model: 'm9', n: 1 }], 1000);
    expect(outcome.lost).toEqual(['m3']);
    expect(outcome.twice).toEqual(['m0']);
    expect(outcome.unexplained).toEqual(['m2', 'm9']);
  });
});
