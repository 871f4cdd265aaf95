import { describe, expect, it } from 'vitest';
import { instanceDatabaseName, instanceRedisPrefix } from './instance-data.js';

describe('instance data names', () => {
  it('instance 0 keeps today\'s names; others are suffixed, and no prefix starts another', () => {
    expect(instanceDatabaseName(0)).toBe('hypernode');
    expect(instanceRedisPrefix(0)).toBe('hypernode:');
    expect(instanceDatabaseName(12)).toBe('hypernode_12');
    expect(instanceRedisPrefix(12)).toBe('hypernode_12:');
    const prefixes = Array.from({ length: 100 }, (_, n) => instanceRedisPrefix(n));
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect(b.startsWith(a), `${b} starts with ${a}`).toBe(false);
  });
});
