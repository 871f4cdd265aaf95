import { describe, expect, it } from 'vitest';
import { MAX_REASON_LENGTH, shortReason } from './reason.js';

describe('shortReason', () => {
  it('strips control characters, collapses space, and cuts to 500 characters', () => {
    expect(shortReason('bad\u0000 thing\r\n\tat\u001b[31m line\u2028two')).toBe('bad thing at [31m line two');
    const long = shortReason('x'.repeat(2062));
    expect(Array.from(long)).toHaveLength(MAX_REASON_LENGTH);
    expect(long.endsWith('…')).toBe(true);
    expect(shortReason('short')).toBe('short');
    expect(Array.from(shortReason('😀'.repeat(600)))).toHaveLength(MAX_REASON_LENGTH);
    expect(shortReason('😀'.repeat(600))).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
