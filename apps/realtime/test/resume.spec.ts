import { beforeAll, describe, expect, it } from 'vitest';
import { eventEpochKey, eventStreamKey } from '@hypernode/events';
import { realtimeHarness } from './harness.js';

const h = realtimeHarness();
const NODE = 'node:00000000-0000-4000-8000-000000000001';

/** Ids a client got, checked to be strictly increasing (hence each at most once). */
function strictlyIncreasing(ids: string[]): boolean {
  return ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1]!));
}

/** A live client; `passed(id)` waits until the server's follower has passed `id`, so what follows is a replay. */
async function liveProbe(url: string) {
  const probe = await h.connect(url);
  await probe.subscribe(['deployments']);
  return {
    passed: async (id: string) => {
      await probe.wait(() => probe.eventIds().includes(id), `the follower to pass ${id}`, 30_000);
      probe.socket.terminate();
    },
  };
}

describe('resume across epochs', () => {
  beforeAll(async () => {
    await h.redis.set(eventEpochKey(h.keys.prefix), 'e1');
  });

  it('sends reset to live clients when the stream is re-seeded with a new epoch, then the new events', async () => {
    const url = await h.start();
    const client = await h.connect(url);
    expect((await client.hello()).epoch).toBe('e1');
    await client.subscribe(['deployments']);
    const before = await h.publishMany(10, ['deployments']);
    await client.wait(() => client.eventIds().includes(before), 'events before the re-seed');
    await h.reseed('e2', 1);
    await h.publish(['deployments']); // re-added by the relay: part of the state the client reloads
    await client.wait(() => client.count('reset') > 0, 'reset after the epoch change');
    expect(client.frames.find((f) => f.type === 'reset')).toMatchObject({ code: 'epoch_changed', epoch: 'e2' });
    const after = await h.publish(['deployments']);
    await client.wait(() => client.eventIds().includes(after), 'event of the new epoch');
    expect(BigInt(after)).toBeLessThan(BigInt(before)); // ids restarted, yet delivered
    const sinceReset = client.frames.slice(client.frames.findIndex((f) => f.type === 'reset')).filter((f) => f.type === 'event').map((f) => f.event!.id);
    expect(strictlyIncreasing(sinceReset)).toBe(true);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('answers a resume from another epoch, or without one, with reset and then live events', async () => {
    const url = await h.start();
    const epoch = (await (await h.connect(url)).hello()).epoch as string;
    await h.publish(['deployments']);
    const old = await h.connect(url);
    await old.subscribe(['deployments'], '1', 'some-older-epoch');
    const bare = await h.connect(url);
    await bare.subscribe(['deployments'], '1');
    for (const [client, code] of [[old, 'epoch_changed'], [bare, 'unproven']] as const) {
      await client.wait(() => client.count('reset') > 0, 'reset');
      expect(client.frames.find((f) => f.type === 'reset')).toMatchObject({ code, epoch });
    }
    const live = await h.publish(['deployments']);
    for (const client of [old, bare]) {
      await client.wait(() => client.eventIds().includes(live), 'live event');
      expect(client.eventIds()).toEqual([live]);
    }
  });

  it('sends reset when the stream vanished (Redis lost its data) even before a new epoch is written', async () => {
    const url = await h.start();
    const client = await h.connect(url);
    await client.subscribe(['deployments']);
    await h.publish(['deployments']);
    await h.redis.del(eventStreamKey(h.keys.prefix));
    await client.wait(() => client.count('reset') > 0, 'reset after the stream vanished');
    expect(client.frames.find((f) => f.type === 'reset')).toMatchObject({ code: 'stream_reset', lastEventId: '0' });
  });
});

describe('no duplicates, no rewind', () => {
  it('delivers each id once however often a client re-subscribes with an older lastEventId', async () => {
    const url = await h.start();
    const client = await h.connect(url);
    const { epoch } = await client.hello();
    await client.subscribe(['deployments']);
    const first = await h.publish(['deployments']);
    for (let i = 0; i < 20; i++) await h.publish(['deployments']);
    const last = await h.publish(['deployments']);
    await client.wait(() => client.eventIds().includes(last), 'all events');
    for (let i = 0; i < 50; i++) await client.subscribe(['deployments'], first, epoch as string);
    const live = await h.publish(['deployments']);
    await client.wait(() => client.eventIds().includes(live), 'live event after the re-subscribes');
    expect(client.eventIds()).toHaveLength(23);
    expect(new Set(client.eventIds()).size).toBe(23);
    expect(client.count('reset')).toBe(0);
  });

  it('replays only a newly added topic, above what was delivered', async () => {
    const url = await h.start();
    const client = await h.connect(url);
    const epoch = (await client.hello()).epoch as string;
    await client.subscribe(['deployments']);
    const d1 = await h.publish(['deployments']);
    const n1 = await h.publish(['nodes', NODE]);
    const d2 = await h.publish(['deployments']);
    const n2 = await h.publish(['nodes', NODE]);
    await client.wait(() => client.eventIds().includes(d2), 'deployment events');
    await client.subscribe(['nodes'], d2, epoch);
    expect(client.frames.filter((f) => f.type === 'subscribed').at(-1)).toMatchObject({ added: ['nodes'], removed: [], count: 2 });
    await client.wait(() => client.eventIds().includes(n2), 'the node event after d2');
    const d3 = await h.publish(['deployments', 'nodes']);
    await client.wait(() => client.eventIds().includes(d3), 'live event on both topics');
    expect(client.eventIds()).toEqual([d1, d2, n2, d3]);
    expect(client.eventIds()).not.toContain(n1);
    expect(client.count('reset')).toBe(0);
  });

  it('refuses to rewind for a newly added topic: reset, and still no id twice', async () => {
    const url = await h.start();
    const client = await h.connect(url);
    const epoch = (await client.hello()).epoch as string;
    await client.subscribe(['deployments']);
    const d1 = await h.publish(['deployments']);
    await h.publish(['nodes']);
    const d2 = await h.publish(['deployments']);
    await client.wait(() => client.eventIds().includes(d2), 'deployment events');
    await client.subscribe(['nodes'], d1, epoch);
    await client.wait(() => client.count('reset') > 0, 'reset refusing the rewind');
    expect(client.frames.find((f) => f.type === 'reset')).toMatchObject({ code: 'rewind_refused', epoch });
    const live = await h.publish(['nodes']);
    await client.wait(() => client.eventIds().includes(live), 'live event on the added topic');
    expect(client.eventIds()).toEqual([d1, d2, live]);
  });
});

describe('bounded replay', () => {
  it('answers a resume past the replay cap with reset, then live events', async () => {
    const url = await h.start({ maxReplayEvents: 50 });
    const client = await h.connect(url);
    const epoch = (await client.hello()).epoch as string;
    const probe = await liveProbe(url);
    const from = await h.publish(['deployments']);
    await probe.passed(await h.publishMany(100, ['deployments']));
    await client.subscribe(['deployments'], from, epoch);
    await client.wait(() => client.count('reset') > 0, 'reset past the cap');
    expect(client.frames.find((f) => f.type === 'reset')).toMatchObject({ code: 'replay_too_long' });
    const live = await h.publish(['deployments']);
    await client.wait(() => client.eventIds().includes(live), 'live event');
    expect(client.eventIds()).toEqual([live]);
  });

  it('replays a 20k-event backlog in pages to several clients at once, each id exactly once, then live', async () => {
    const url = await h.start({ maxReplayEvents: 30_000, replayPageSize: 500, maxBufferedBytes: 256 * 1024 });
    const probe = await h.connect(url);
    const epoch = (await probe.hello()).epoch as string;
    const follower = await liveProbe(url);
    const from = await h.publish(['deployments']);
    const last = await h.publishMany(20_000, ['deployments']);
    await follower.passed(last);
    const clients = await Promise.all([1, 2, 3, 4].map(() => h.connect(url)));
    for (const c of clients) {
      c.socket.send(JSON.stringify({ type: 'subscribe', topics: ['deployments'], lastEventId: from, epoch }));
      // A second resume while the first replays waits its turn and adds nothing: no second copy.
      c.socket.send(JSON.stringify({ type: 'subscribe', topics: ['deployments'], lastEventId: from, epoch }));
    }
    for (const c of clients) await c.wait(() => c.eventIds().at(-1) === last, 'the whole backlog', 60_000);
    const live = await h.publish(['deployments']);
    for (const c of clients) {
      await c.wait(() => c.eventIds().includes(live), 'live event after the replay');
      const ids = c.eventIds();
      expect(ids).toHaveLength(20_001);
      expect(strictlyIncreasing(ids)).toBe(true);
      expect(c.count('reset')).toBe(0);
      expect(c.count('subscribed')).toBe(2);
    }
  }, 90_000);
});
