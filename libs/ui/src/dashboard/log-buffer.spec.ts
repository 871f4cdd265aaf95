import { describe, expect, it } from 'vitest';
import type { LogLine } from '@hypernode/events';
import { logQuery, mergeLines, parseSearch, lineAsText, type ViewLine } from './log-buffer.js';

const line = (seq: number, time: number, service = 'api', extra: Partial<LogLine> = {}): LogLine => ({ seq, time, service, run: 0, level: 'info', message: `m${seq}`, stream: 'stdout', ...extra });
const seqs = (lines: ViewLine[]) => lines.map((l) => l.seq);

describe('mergeLines (the combined view)', () => {
  it('orders lines of several services by time, then by sequence, whatever order the frames came in', () => {
    const a = [line(1, 100, 'api'), line(4, 130, 'api')];
    const b = [line(2, 90, 'realtime'), line(3, 130, 'realtime'), line(5, 200, 'realtime')];
    const merged = mergeLines(mergeLines([], a), b);
    expect(merged.map((l) => l.time)).toEqual([90, 100, 130, 130, 200]);
    expect(seqs(merged)).toEqual([2, 1, 3, 4, 5]);
  });

  it('appends without re-sorting when every new line is newer, and keeps the same lines for an empty batch', () => {
    const base = mergeLines([], [line(1, 1), line(2, 2)]);
    expect(mergeLines(base, [])).toBe(base);
    expect(seqs(mergeLines(base, [line(3, 3)]))).toEqual([1, 2, 3]);
  });

  it('drops a line it already has (a page fetched while the stream delivered it)', () => {
    const base = mergeLines([], [line(1, 10), line(2, 20), line(3, 30)]);
    expect(seqs(mergeLines(base, [line(2, 20), line(4, 15)]))).toEqual([1, 4, 2, 3]);
  });

  it('keeps marks where they were inserted, and keeps the newest lines beyond the cap', () => {
    const withMark = mergeLines(mergeLines([], [line(1, 10)]), [{ kind: 'mark', seq: 2 ** 52, time: 10, label: 'mark' }]);
    expect(mergeLines(withMark, [line(2, 11)]).map((l) => l.kind ?? l.seq)).toEqual([1, 'mark', 2]);
    const many = Array.from({ length: 120 }, (_, i) => line(i, i));
    expect(seqs(mergeLines([], many, 100))).toEqual(Array.from({ length: 100 }, (_, i) => i + 20));
  });
});

describe('parseSearch', () => {
  it('reads /re/flags as a regular expression and anything else as text; an invalid regex names itself and the fix', () => {
    expect(parseSearch('  ')).toEqual({ kind: 'none' });
    expect(parseSearch('Timeout')).toEqual({ kind: 'text', text: 'timeout' });
    const re = parseSearch('/time(out)? \\d+/gi');
    expect(re.kind === 'regex' && re.re.flags).toBe('i');
    const bad = parseSearch('/(unclosed/');
    expect(bad.kind).toBe('invalid');
    expect(bad.kind === 'invalid' && bad.error).toMatch(/^\/\(unclosed\/ is not a valid regular expression .*search plain text/);
  });
});

describe('logQuery', () => {
  it('sends services, level and search as the contract names them, and nothing for an empty filter', () => {
    expect(logQuery({ services: [], q: '' })).toBe('');
    expect(new URLSearchParams(logQuery({ services: ['api', 'site'], level: 'warn', q: '/a|b/' }, { limit: 500 }).slice(1))).toEqual(new URLSearchParams({ services: 'api,site', level: 'warn', q: '/a|b/', limit: '500' }));
  });
});

describe('lineAsText', () => {
  it('copies a line as plain text: time, service, level, message without ANSI, fields', () => {
    expect(lineAsText(line(1, Date.UTC(2026, 0, 2, 3, 4, 5), 'api', { level: 'warn', message: '\u001b[31mslow\u001b[39m query', fields: { ms: 812 } }))).toBe('2026-01-02T03:04:05.000Z api WARN slow query {"ms":812}');
  });
});
