import { describe, expect, it } from 'vitest';
import { effectiveTheme, nextTheme, readTheme, THEME_STORAGE_KEY, writeTheme } from './theme.js';

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k), data };
}

describe('theme persistence', () => {
  it('stores light and dark, forgets system, and reads back what was stored', () => {
    const storage = memoryStorage();
    expect(readTheme(storage)).toBe('system');
    writeTheme(storage, 'dark');
    expect(storage.data.get(THEME_STORAGE_KEY)).toBe('dark');
    expect(readTheme(storage)).toBe('dark');
    writeTheme(storage, 'system');
    expect(storage.data.has(THEME_STORAGE_KEY)).toBe(false);
    expect(readTheme(storage)).toBe('system');
  });

  it('treats an unknown value or a refusing storage as system', () => {
    const storage = memoryStorage();
    storage.setItem(THEME_STORAGE_KEY, 'purple');
    expect(readTheme(storage)).toBe('system');
    const refusing = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => { throw new Error('QuotaExceeded'); }, removeItem: () => undefined };
    expect(readTheme(refusing)).toBe('system');
    expect(() => writeTheme(refusing, 'dark')).not.toThrow();
  });

  it('follows the system for system, and the toggle cycles system → light → dark → system', () => {
    expect(effectiveTheme('system', true)).toBe('dark');
    expect(effectiveTheme('system', false)).toBe('light');
    expect(effectiveTheme('light', true)).toBe('light');
    expect([nextTheme('system'), nextTheme('light'), nextTheme('dark')]).toEqual(['light', 'dark', 'system']);
  });
});
