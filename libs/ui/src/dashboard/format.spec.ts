import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent, formatUptime } from './format.js';

describe('formatting', () => {
  it('uptime, bytes, percent and durations, with — for unknown', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatUptime(null, now)).toBe('—');
    expect(formatUptime('2026-01-01T11:59:48Z', now)).toBe('12s');
    expect(formatUptime('2026-01-01T11:57:55Z', now)).toBe('2m 05s');
    expect(formatUptime('2026-01-01T08:56:00Z', now)).toBe('3h 04m');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MiB');
    expect(formatBytes(1.25 * 1024 ** 3)).toBe('1.3 GiB');
    expect(formatPercent(3.14159)).toBe('3.1%');
    expect(formatPercent(null)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1250)).toBe('1.25 s');
  });
});
