import { describe, expect, it } from 'vitest';
import type { LogLine } from '@hypernode/events';
import { compareLines, logQuery, lowerBound, mergeInto, mergeLines, parseSearch, lineAsText, type ViewLine } from './log-buffer.js';

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

  it('appends when every new line is newer, keeps the same lines for an empty batch, and leaves its input as it was', () => {
    const base = mergeLines([], [line(1, 1), line(2, 2)]);
    expect(mergeLines(base, [])).toBe(base);
    expect(seqs(mergeLines(base, [line(3, 3)]))).toEqual([1, 2, 3]);
    expect(seqs(base)).toEqual([1, 2]);
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

describe('mergeInto (the buffer the logs view merges each frame into)', () => {
  it('merges in place: the same array, appended when every line is newer, the batch sorted first', () => {
    const buffer: ViewLine[] = [];
    expect(mergeInto(buffer, [line(2, 20), line(1, 10)])).toBe(buffer);
    mergeInto(buffer, [line(4, 40), line(3, 30)]);
    expect(seqs(buffer)).toEqual([1, 2, 3, 4]);
  });

  it('places a late service\'s lines among the newest ones by time, leaving older lines where they are', () => {
    const buffer = mergeInto([], Array.from({ length: 10 }, (_, i) => line(i, i * 10, 'api')));
    const head = buffer.slice(0, 7);
    // gpu-worker's lines are 25 ms behind: they belong before the last three api lines.
    mergeInto(buffer, [line(10, 95, 'api'), line(11, 67, 'gpu-worker'), line(12, 72, 'gpu-worker')]);
    expect(buffer.map((l) => l.time)).toEqual([0, 10, 20, 30, 40, 50, 60, 67, 70, 72, 80, 90, 95]);
    expect(buffer.slice(0, 7)).toEqual(head);
  });

  it('drops lines it already has, in the buffer or twice in the batch, and keeps the newest beyond the cap', () => {
    const buffer = mergeInto([], [line(1, 10), line(2, 20), line(3, 30)]);
    mergeInto(buffer, [line(2, 20), line(4, 15), line(4, 15), line(3, 30), line(5, 40)]);
    expect(seqs(buffer)).toEqual([1, 4, 2, 3, 5]);
    mergeInto(buffer, [line(6, 5), line(7, 50)], 4);
    expect(seqs(buffer)).toEqual([2, 3, 5, 7]);
  });

  it('gives what a full sort of every distinct line gives, for batches of three services out of order', () => {
    // A fixed pseudo-random sequence: reproducible, no Math.random.
    let state = 42;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lags = [0, 25, 45];
    const all: ViewLine[] = [];
    const buffer: ViewLine[] = [];
    let seq = 0;
    for (let batch = 0; batch < 60; batch++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 40) }, (_, i) => line(seq++, batch * 50 + Math.floor(next() * 50) - lags[i % 3]!, ['api', 'automation', 'gpu-worker'][i % 3]));
      // Now and then a page that overlaps what the stream already delivered.
      const again = batch % 7 === 3 ? all.slice(-20) : [];
      all.push(...lines);
      mergeInto(buffer, [...lines, ...again], 500);
    }
    const expected = [...all].sort(compareLines).slice(-500);
    expect(seqs(buffer)).toEqual(seqs(expected));
  });

  it('finds where a line goes with a binary search (the first line not before it)', () => {
    const buffer = mergeInto([], [line(1, 10), line(2, 20), line(3, 20), line(4, 30)]);
    expect([lowerBound(buffer, { time: 5, seq: 0 }), lowerBound(buffer, { time: 20, seq: 3 }), lowerBound(buffer, { time: 20, seq: 9 }), lowerBound(buffer, { time: 99, seq: 0 })]).toEqual([0, 2, 3, 4]);
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
