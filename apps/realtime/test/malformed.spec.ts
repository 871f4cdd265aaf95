import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOSE } from '../src/protocol.js';
import { realtimeHarness } from './harness.js';

const h = realtimeHarness();
const ANSWERS = new Set(['subscribed', 'pong', 'error']);
const NAMED_CLOSES = new Set<number>(Object.values(CLOSE));

const topic = fc.oneof(
  fc.constantFrom('deployments', 'nodes', 'services', 'deployments\u0000', 'node:\u0000', 'deployment:00000000-0000-4000-8000-000000000000'),
  fc.string({ maxLength: 60 }),
);
const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), topic);
/** Frames shaped like the protocol, with every field possibly of the wrong type or size. */
const shaped = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'ping'), anything),
      topics: fc.oneof(fc.array(topic, { maxLength: 8 }), fc.array(topic, { minLength: 101, maxLength: 200 }), anything),
      lastEventId: fc.oneof(fc.constantFrom('0', '1', '18446744073709551615', '-1', '1e3'), fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String), anything),
      epoch: fc.oneof(fc.constantFrom('e', '', 'x'.repeat(200)), anything),
    },
    { requiredKeys: [] },
  )
  .map((m) => JSON.stringify(m));
const frame = fc.oneof(
  { weight: 5, arbitrary: shaped.map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => ({ text: JSON.stringify(v) ?? 'null' })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ bytes })) },
  { weight: 1, arbitrary: fc.integer({ min: 6000, max: 9000 }).map((n) => ({ text: JSON.stringify({ type: 'subscribe', topics: Array.from({ length: n }, () => 'deployments') }) })) },
);

describe('malformed input', () => {
  it('answers 1,000 random frames over 4 connections with an answer frame or a named close code, and stays up', async () => {
    const url = await h.start({ maxConnectionsPerAddress: 1000 });
    const outcomes = { answered: 0, closed: 0 };
    const lane = async (seed: number) => {
      let client = await h.connect(url);
      await fc.assert(
        fc.asyncProperty(frame, async (f) => {
          if (client.closeCode() !== undefined) client = await h.connect(url);
          const before = client.frames.filter((x) => ANSWERS.has(x.type)).length;
          client.socket.send('bytes' in f ? Buffer.from(f.bytes) : f.text, { binary: 'bytes' in f });
          await client.wait(() => client.frames.filter((x) => ANSWERS.has(x.type)).length > before || client.closeCode() !== undefined, `an answer to ${JSON.stringify(f).slice(0, 200)}`);
          const code = client.closeCode();
          if (code === undefined) outcomes.answered++;
          else {
            expect(NAMED_CLOSES).toContain(code);
            outcomes.closed++;
          }
        }),
        { numRuns: 250, seed },
      );
    };
    await Promise.all([1, 2, 3, 4].map(lane));
    expect(outcomes.answered + outcomes.closed).toBe(1000);
    expect(outcomes.answered).toBeGreaterThan(500);
    const health = await fetch(url.replace('ws:', 'http:') + '/health');
    expect(health.status).toBe(200);
    const survivor = await h.connect(url);
    await survivor.subscribe(['deployments']);
    expect(survivor.frames.at(-1)).toMatchObject({ type: 'subscribed', added: ['deployments'] });
  }, 120_000);
});
