import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { adminClient, createTestDatabase } from './index.js';
import { dropRoleIfUnused, roleExists } from './app-role.js';

// A role of this spec's own (never the app's `hypernode`), in the registry's PostgreSQL.
const role = `hn_test_role_${randomBytes(4).toString('hex')}`;
async function sql(text: string): Promise<void> {
  const client = adminClient(10_000);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
afterAll(async () => {
  await sql(`drop role if exists ${role}`).catch(() => undefined);
});

describe('the app role left as the run found it', () => {
  it('keeps a role that still owns a database, drops it once nothing depends on it', async () => {
    expect(await roleExists(role)).toBe(false);
    expect(await dropRoleIfUnused(role)).toBe('absent');
    await sql(`create role ${role} login`);
    const db = await createTestDatabase();
    try {
      await sql(`alter database ${db.name} owner to ${role}`);
      expect(await dropRoleIfUnused(role)).toBe('in use');
      expect(await roleExists(role)).toBe(true);
    } finally {
      await db.drop();
    }
    expect(await dropRoleIfUnused(role)).toBe('dropped');
    expect(await roleExists(role)).toBe(false);
  });
});
