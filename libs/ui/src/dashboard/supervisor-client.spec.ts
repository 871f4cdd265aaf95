import { describe, expect, it } from 'vitest';
import { FrameBatcher, SupervisorClient } from './supervisor-client.js';

describe('FrameBatcher', () => {
  it('delivers everything pushed before a frame in one flush, in order, and schedules one frame per batch', () => {
    const frames: Array<() => void> = [];
    const flushed: number[][] = [];
    const b = new FrameBatcher<number>((items) => flushed.push(items), (cb) => frames.push(cb));
    b.push([1, 2]);
    b.push([3]);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    b.push([4]);
    frames.shift()!();
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });

  it('keeps only the newest items beyond its cap while no frame comes (a hidden tab)', () => {
    const frames: Array<() => void> = [];
    const flushed: number[][] = [];
    const b = new FrameBatcher<number>((items) => flushed.push(items), (cb) => frames.push(cb), 3);
    b.push([1, 2, 3, 4, 5]);
    frames.shift()!();
    expect(flushed).toEqual([[3, 4, 5]]);
  });
});

describe('SupervisorClient URLs', () => {
  it('builds the stream and download URLs of the contract', () => {
    const c = new SupervisorClient('http://localhost:4105');
    expect(c.streamUrl({ services: ['api', 'site'], level: 'warn', q: '' })).toBe('ws://localhost:4105/logs/stream?services=api%2Csite&level=warn');
    expect(c.downloadUrl({ services: [], q: 'boom' })).toBe('http://localhost:4105/logs/download?q=boom');
  });
});
