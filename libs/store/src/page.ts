import type { Pool } from 'pg';
import { CURSOR_AT_SQL, decodeCursor, encodeCursor } from './cursor.js';
import { LIST_COLUMNS } from './rows.js';

/** One page of a table, newest first, and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The statement of a page: `where` conditions (ANDed), the row limit in parameter `$limitParam`.
 * Exported for the benchmark's bare baseline, which runs exactly what the API runs.
 */
export function pageSql(table: 'nodes' | 'deployments', where: readonly string[], limitParam: number): string {
  // ORDER BY names the table's columns: the select list's created_at is the formatted text.
  return `SELECT ${LIST_COLUMNS[table]}, ${CURSOR_AT_SQL} FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${table}.created_at DESC, ${table}.id DESC LIMIT $${limitParam}`;
}

/**
 * A keyset page of `table` (a fixed name from this library, never input), newest first by
 * (created_at, id), optionally of one status; `cursor` is the previous page's nextCursor.
 */
export async function pageNewestFirst<Row extends { id: string }, T>(
  pool: Pool,
  table: 'nodes' | 'deployments',
  toRecord: (row: Row) => T,
  query: { status?: string; limit: number; cursor?: string },
): Promise<Page<T>> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    params.push(query.status);
    where.push(`status = $${params.length}`);
  }
  if (query.cursor) {
    const { at, id } = decodeCursor(query.cursor);
    params.push(at, id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(query.limit + 1);
  const { rows } = await pool.query<Row & { cursor_at: string }>(pageSql(table, where, params.length), params);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { items: page.map(toRecord), nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursor_at, last.id) : null };
}
