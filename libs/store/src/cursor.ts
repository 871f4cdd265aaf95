/** A page cursor this API did not issue, or one that no longer decodes. */
export class BadCursorError extends Error {
  readonly code = 'E_BAD_CURSOR';
}

/** SQL that renders `created_at` exactly (microseconds, UTC) for `encodeCursor`. */
export const CURSOR_AT_SQL = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

// Years 1970–9999 only: PostgreSQL's timestamptz accepts them all, and we never issue others.
const AT = /^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/** Opaque cursor: the exact sort key (created_at to the microsecond, id) of a page's last row. */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

/**
 * Decodes a cursor strictly: canonical base64url of `<ISO timestamp with microseconds>|<uuid>`,
 * a real calendar date (no 30 February); anything else is BadCursorError, so PostgreSQL never
 * sees a value it cannot cast.
 */
export function decodeCursor(cursor: string): { at: string; id: string } {
  const bad = () => new BadCursorError(`cursor ${JSON.stringify(cursor.slice(0, 80))} is not one this API issued: pass the nextCursor of the previous page, or omit it for the first page`);
  if (!BASE64URL.test(cursor)) throw bad();
  const text = Buffer.from(cursor, 'base64url').toString();
  const [at, id, ...rest] = text.split('|');
  if (rest.length > 0 || !at || !id || !AT.test(at) || !UUID.test(id) || encodeCursor(at, id) !== cursor) throw bad();
  const millis = `${at.slice(0, 23)}Z`;
  if (new Date(millis).toISOString() !== millis) throw bad();
  return { at, id };
}
