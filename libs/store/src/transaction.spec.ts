import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment } from './deployments.js';
import { recordEvent, withTransaction, OutboxTransactionError } from './transaction.js';
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
