import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneEvents, PruneArgumentError } from './events.js';
import { migratedTestPool } from './test-database.js';

let db: Awaited<ReturnType<typeof migratedTestPool>>;
beforeAll(async () => {
  db = await migratedTestPool();
});
afterAll(async () => {
  await db?.close();
});

/** Inserts `n` events `ageS` seconds old, published or not; returns their ids. */
async function insert(n: number, ageS: number, published: boolean): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO events (type, topics, data, created_at, published_at)
     SELECT 'service.health', ARRAY['services'], '{"services":[]}', now() - make_interval(secs => $2), CASE WHEN $3 THEN now() END
       FROM generate_series(1, $1) RETURNING id`,
    [n, ageS, published],
  );
  return rows.map((r) => r.id);
}
const ids = async () => (await db.pool.query<{ id: string }>('SELECT id FROM events ORDER BY id')).rows.map((r) => r.id);

describe('pruneEvents', () => {
  it('deletes published events older than the age, keeping the newest keepLast and every unpublished one', async () => {
    await insert(10, 3600, true);
    const oldUnpublished = await insert(2, 3600, false);
    const oldKept = await insert(3, 3600, true);
    const fresh = await insert(4, 0, true);
    // keepLast 7 keeps the newest 7 (oldKept, fresh); the 2 unpublished stay; the fresh ones are young anyway.
    expect(await pruneEvents(db.pool, { olderThanS: 60, keepLast: 7 })).toBe(10);
    expect(await ids()).toEqual([...oldUnpublished, ...oldKept, ...fresh]);
    expect(await pruneEvents(db.pool, { olderThanS: 60, keepLast: 0 })).toBe(3);
    expect(await ids()).toEqual([...oldUnpublished, ...fresh]);
  });

  it('refuses bounds that are not whole numbers ≥ 0', async () => {
    await expect(pruneEvents(db.pool, { olderThanS: -1, keepLast: 0 })).rejects.toThrow(PruneArgumentError);
    await expect(pruneEvents(db.pool, { olderThanS: 60, keepLast: 1.5 })).rejects.toThrow(/keepLast/);
  });
});
