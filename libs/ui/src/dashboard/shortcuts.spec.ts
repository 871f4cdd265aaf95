import { describe, expect, it } from 'vitest';
import { SEQUENCE_MS, ShortcutMatcher } from './shortcuts.js';

describe('ShortcutMatcher', () => {
  it('completes two-key sequences and single keys', () => {
    const m = new ShortcutMatcher();
    expect(m.press('g', 0)).toBeUndefined();
    expect(m.press('l', 10)?.id).toBe('go-logs');
    expect(m.press('?', 20)?.id).toBe('help');
    expect(m.press('/', 30)?.id).toBe('search');
  });

  it('forgets a prefix after the sequence window, and restarts on a wrong second key', () => {
    const m = new ShortcutMatcher();
    m.press('g', 0);
    expect(m.press('s', SEQUENCE_MS + 1)).toBeUndefined();
    m.press('g', 5000);
    expect(m.press('p', 5010)?.id).toBe('pause');
    m.press('g', 6000);
    expect(m.press('x', 6010)).toBeUndefined();
    expect(m.press('t', 6020)?.id).toBe('theme');
  });
});
