import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@hypernode/testing';
import { createPgPool } from './dependencies.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('createPgPool', () => {
  it('survives the server ending a connection that is checked out (no unhandled error event)', async () => {
    const lines: string[] = [];
    const pool = createPgPool(db.url, { max: 2, log: (l) => lines.push(l) });
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await admin.end();
    // The server's termination notice reaches the checked-out, idle client as an 'error' event;
    // without the pool's listener it would throw out of the event loop. (Waited for, not raced
    // with a query: a query sent first would take the error itself.)
    for (const end = Date.now() + 5_000; !lines.some((l) => /connection in use lost/.test(l)) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(lines.some((l) => /connection in use lost/.test(l))).toBe(true);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    expect((await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]!.ok).toBe(1);
    await pool.end();
  });
});
