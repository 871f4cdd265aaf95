import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BadCursorError, decodeCursor, encodeCursor } from './cursor.js';

const id = '0b6f3c1e-8a2d-4f5e-9c7b-1d2e3f4a5b6c';

describe('page cursors', () => {
  it('round-trip the exact sort key, microseconds included', () => {
    const at = '2026-11-26T21:58:03.123456Z';
    expect(decodeCursor(encodeCursor(at, id))).toEqual({ at, id });
  });

  it.each([
    ['year 275760 (past what PostgreSQL casts)', '275760-01-01T00:00:00.000000Z'],
    ['a date Date.parse accepts loosely', 'Tue, 01 Jan 2030 00:00:00 GMT'],
    ['30 February', '2026-02-30T00:00:00.000000Z'],
    ['milliseconds only', '2026-01-01T00:00:00.000Z'],
    ['year 0', '0000-01-01T00:00:00.000000Z'],
  ])('refuses %s', (_what, at) => {
    expect(() => decodeCursor(encodeCursor(at, id))).toThrow(BadCursorError);
  });

  it('refuses non-canonical encodings and extra fields', () => {
    const good = encodeCursor('2026-01-01T00:00:00.000000Z', id);
    expect(() => decodeCursor(`${good}=`)).toThrow(BadCursorError);
    expect(() => decodeCursor(Buffer.from(`2026-01-01T00:00:00.000000Z|${id}|x`).toString('base64url'))).toThrow(BadCursorError);
    expect(() => decodeCursor(Buffer.from(`2026-01-01T00:00:00.000000Z|${id.toUpperCase()}`).toString('base64url'))).toThrow(BadCursorError);
  });

  it('any string either decodes to a key PostgreSQL can cast or is BadCursorError (property)', () => {
    const crafted = fc.tuple(fc.string({ maxLength: 40 }), fc.oneof(fc.uuid(), fc.string())).map(([at, u]) => Buffer.from(`${at}|${u}`).toString('base64url'));
    fc.assert(
      fc.property(fc.oneof(fc.string(), crafted, fc.base64String()), (cursor) => {
        try {
          const { at, id: uuid } = decodeCursor(cursor);
          expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
          expect(Number.isNaN(Date.parse(at))).toBe(false);
          expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
        } catch (error) {
          expect(error).toBeInstanceOf(BadCursorError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
