import pg from 'pg';
import { createTestDatabase } from '@hypernode/testing';
import { migrate } from './migrate.js';

/** A migrated throw-away database and a pool on it, for this library's specs; `close()` drops it. */
export async function migratedTestPool(max = 10): Promise<{ pool: pg.Pool; close(): Promise<void> }> {
  const db = await createTestDatabase();
  await migrate(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max });
  pool.on('error', () => undefined); // dropping the database ends idle connections
  return {
    pool,
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}
