import { describe, expect, it } from 'vitest';
import { FrameBatcher, SupervisorClient } from './supervisor-client.js';

describe('FrameBatcher', () => {
  it('delivers everything pushed before a frame in one flush, in order, and schedules one frame per batch', () => {
    const frames: Array<(now: number) => void> = [];
    const flushed: number[][] = [];
    const b = new FrameBatcher<number>((items) => flushed.push(items), (cb) => frames.push(cb));
    b.push([1, 2]);
    b.push([3]);
    expect(frames).toHaveLength(1);
    frames.shift()!(0);
    b.push([4]);
    frames.shift()!(0);
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });

  it('keeps only the newest items beyond its cap while no frame comes (a hidden tab)', () => {
    const frames: Array<(now: number) => void> = [];
    const flushed: number[][] = [];
    const b = new FrameBatcher<number>((items) => flushed.push(items), (cb) => frames.push(cb), 3);
    b.push([1, 2, 3, 4, 5]);
    frames.shift()!(0);
    expect(flushed).toEqual([[3, 4, 5]]);
  });
});

describe('FrameBatcher pacing', () => {
  it('flushes every frame while items trickle, at most once per gap after a flood, and every frame again once it ends', () => {
    const frames: Array<(now: number) => void> = [];
    const flushed: Array<{ at: number; items: number }> = [];
    let now = 0;
    const b = new FrameBatcher<number>((items) => flushed.push({ at: now, items: items.length }), (cb) => frames.push(cb), 50_000, { floodItems: 100, floodGapMs: 100 });
    /** Runs the animation frames of the next `ms` (16 ms apart), pushing `perFrame` items before each. */
    const run = (ms: number, perFrame: number) => {
      for (const end = now + ms; now < end; ) {
        now += 16;
        if (perFrame > 0) b.push(Array.from({ length: perFrame }, (_, i) => i));
        const due = frames.splice(0);
        for (const cb of due) cb(now);
      }
    };
    run(160, 5);
    expect(flushed.map((f) => f.items)).toEqual(Array(10).fill(5));
    flushed.length = 0;
    run(480, 200);
    // The first flood flush at once, then one per 100 ms carrying everything pushed meanwhile.
    expect(flushed.length).toBeLessThanOrEqual(6);
    expect(flushed.slice(1).every((f, i) => f.at - flushed[i]!.at >= 100)).toBe(true);
    run(320, 0);
    // Nothing lost: every item pushed during the flood was flushed.
    expect(flushed.reduce((n, f) => n + f.items, 0)).toBe(200 * 30);
    flushed.length = 0;
    run(48, 5);
    // A quiet spell longer than the gap ends the flood: small batches flush every frame again.
    expect(flushed.map((f) => f.items)).toEqual([5, 5, 5]);
  });
});

describe('SupervisorClient URLs', () => {
  it('builds the stream and download URLs of the contract', () => {
    const c = new SupervisorClient('http://localhost:4105');
    expect(c.streamUrl({ services: ['api', 'site'], level: 'warn', q: '' })).toBe('ws://localhost:4105/logs/stream?services=api%2Csite&level=warn');
    expect(c.downloadUrl({ services: [], q: 'boom' })).toBe('http://localhost:4105/logs/download?q=boom');
  });
});
