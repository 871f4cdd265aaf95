import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment } from './deployments.js';
import { commitWith, recordEvent, withTransaction, OutboxTransactionError } from './transaction.js';
import { markPublishedAtCommit } from './outbox.js';
import { migratedTestPool } from './test-database.js';

let db: Awaited<ReturnType<typeof migratedTestPool>>;
beforeAll(async () => {
  db = await migratedTestPool();
});
afterAll(async () => {
  await db?.close();
});

const services = (name: string) => ({ services: [{ name, port: 1, status: 'up' as const, latencyMs: 1, detail: 'ok' }] });
const eventNames = async () => (await db.pool.query<{ name: string }>("SELECT data->'services'->0->>'name' AS name FROM events WHERE type = 'service.health' ORDER BY id")).rows.map((r) => r.name);

describe('outbox writes', () => {
  it('writes the events a transaction recorded at commit, in recording order', async () => {
    await withTransaction(db.pool, async (client) => {
      await recordEvent(client, 'service.health', services('one'));
      await recordEvent(client, 'service.health', services('two'));
      // Not yet in the table: they are written just before COMMIT.
      expect((await client.query("SELECT count(*)::int AS n FROM events WHERE type = 'service.health'")).rows[0].n).toBe(0);
    });
    expect(await eventNames()).toEqual(['one', 'two']);
  });

  it("stores every character of an event's data and topics as given (the insert and commit are one escaped statement)", async () => {
    const tricky = `it's "quoted" \\ back\\slash \\' E'x' $1 $$ ; COMMIT; -- é 漢 😀 \n tab\t`;
    const made = await createDeployment(db.pool, { model: tricky, minVramGb: 1 });
    const { rows } = await db.pool.query<{ model: string; topics: string[] }>("SELECT data->'deployment'->>'model' AS model, topics FROM events WHERE type = 'deployment.created' AND data->'deployment'->>'id' = $1", [made.id]);
    expect(rows).toEqual([{ model: tricky, topics: ['deployments', `deployment:${made.id}`] }]);
    // Several events of one transaction, each exactly once, in order.
    await withTransaction(db.pool, async (client) => {
      for (const name of [tricky, "a'b", 'c\\d']) await recordEvent(client, 'service.health', services(name));
    });
    expect((await eventNames()).slice(-3)).toEqual([tricky, "a'b", 'c\\d']);
  });

  it('a rolled-back transaction writes no event', async () => {
    await expect(
      withTransaction(db.pool, async (client) => {
        await recordEvent(client, 'service.health', services('lost'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await eventNames()).not.toContain('lost');
  });

  it('refuses recordEvent outside withTransaction, naming the fix', async () => {
    const client = await db.pool.connect();
    try {
      await expect(recordEvent(client, 'service.health', services('x'))).rejects.toThrow(OutboxTransactionError);
      await expect(recordEvent(client, 'service.health', services('x'))).rejects.toThrow(/withTransaction/);
    } finally {
      client.release();
    }
  });

  it('holds no outbox lock during row work, and numbers events in commit order', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let recorded!: () => void;
    const isRecorded = new Promise<void>((resolve) => (recorded = resolve));
    const slow = withTransaction(db.pool, async (client) => {
      await recordEvent(client, 'service.health', services('slow'));
      recorded();
      await held; // still doing row work, its event already recorded
    });
    await isRecorded;
    // Would wait for `slow` forever if recording had taken a global lock.
    const quick = await createDeployment(db.pool, { model: 'quick', minVramGb: 1 });
    release();
    await slow;
    const { rows } = await db.pool.query<{ id: string; name: string | null; model: string | null }>(
      "SELECT id, data->'services'->0->>'name' AS name, data->'deployment'->>'model' AS model FROM events ORDER BY id",
    );
    const quickAt = rows.findIndex((r) => r.model === quick.model);
    const slowAt = rows.findIndex((r) => r.name === 'slow');
    expect(quickAt).toBeGreaterThanOrEqual(0);
    expect(slowAt).toBeGreaterThan(quickAt);
  });
});

describe('statements that ride with BEGIN and COMMIT', () => {
  const setting = async () => (await db.pool.query<{ v: string }>("SELECT current_setting('hn.test_marker', true) AS v")).rows[0]!.v;

  it('begin: its result reaches the work, and it ran inside the transaction (a SET LOCAL it makes is seen there only)', async () => {
    const seen = await withTransaction(
      db.pool,
      async (client, begun) => ({ begun: begun?.rows[0], inside: (await client.query<{ v: string }>("SELECT current_setting('hn.test_marker') AS v")).rows[0]!.v }),
      { begin: "SET LOCAL hn.test_marker = 'in-tx'; SELECT 41 + 1 AS answer" },
    );
    expect(seen).toEqual({ begun: undefined, inside: 'in-tx' });
    const answered = await withTransaction(db.pool, async (_client, begun) => begun?.rows[0], { begin: 'SELECT 41 + 1 AS answer' });
    expect(answered).toEqual({ answer: 42 });
    expect(await setting()).not.toBe('in-tx');
  });

  it('commitWith: runs at commit with the recorded events, and nothing of it when the work fails', async () => {
    const made = await createDeployment(db.pool, { model: 'commit-with', minVramGb: 1 });
    const model = async () => (await db.pool.query<{ model: string }>('SELECT model FROM deployments WHERE id = $1', [made.id])).rows[0]!.model;
    await withTransaction(db.pool, async (client) => {
      commitWith(client, `UPDATE deployments SET model = 'tail-ran' WHERE id = '${made.id}'`);
      await recordEvent(client, 'service.health', services('with-tail'));
      expect(await model()).toBe('commit-with'); // queued, not run yet (seen from another connection)
    });
    expect(await model()).toBe('tail-ran');
    expect(await eventNames()).toContain('with-tail');
    await expect(
      withTransaction(db.pool, async (client) => {
        commitWith(client, `UPDATE deployments SET model = 'never' WHERE id = '${made.id}'`);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await model()).toBe('tail-ran');
    // A failing tail statement commits nothing of the transaction.
    await expect(
      withTransaction(db.pool, async (client) => {
        await client.query("UPDATE deployments SET model = 'half' WHERE id = $1", [made.id]);
        commitWith(client, 'SELECT 1/0');
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await model()).toBe('tail-ran');
    expect(() => commitWith({} as never, 'SELECT 1')).toThrow(/outside withTransaction/);
  });

  it('markPublishedAtCommit stamps exactly the ids given, and refuses anything but event ids', async () => {
    const ids = async () => (await db.pool.query<{ id: string }>("SELECT id::text FROM events WHERE published_at IS NULL AND type = 'service.health' ORDER BY id")).rows.map((r) => r.id);
    await withTransaction(db.pool, async (client) => {
      for (const name of ['p1', 'p2', 'p3']) await recordEvent(client, 'service.health', services(name));
    });
    const before = await ids();
    const stamp = before.slice(-3, -1);
    await withTransaction(db.pool, async (client) => markPublishedAtCommit(client, stamp));
    expect(await ids()).toEqual(before.filter((id) => !stamp.includes(id)));
    await withTransaction(db.pool, async (client) => {
      expect(() => markPublishedAtCommit(client, ['1', "1}'::bigint[]); DROP TABLE events; --"])).toThrow(/is not a bigint/);
      markPublishedAtCommit(client, []); // nothing queued
    });
  });
});
