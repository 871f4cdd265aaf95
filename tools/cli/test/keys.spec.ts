import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@hypernode/testing';
import { hypernode } from './helpers.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
}, 60_000);

const cli = (args: string[]) => hypernode([...args, '--database-url', db.url]);

describe('hypernode keys / join-tokens (straight in PostgreSQL)', () => {
  it('creates a key shown once (only its hash stored), lists it without the key, revokes it', async () => {
    const created = await cli(['keys', 'create', '--name', 'ci', '--scope', 'deploy', '--expires', '30d', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const out = JSON.parse(created.stdout) as { id: string; key: string; scopes: string[] };
    expect(Object.keys(out).sort()).toEqual(['id', 'key', 'scopes']);
    expect(out.key).toMatch(/^hn_[A-Za-z0-9_-]{43}$/);
    expect(out.scopes).toEqual(['deploy']);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const row = (await client.query('select hash, expires_at from api_keys where id = $1', [out.id])).rows[0];
      expect(JSON.stringify(row)).not.toContain(out.key.slice(3));
      const days = (new Date(row.expires_at).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThan(30.1);
    } finally {
      await client.end();
    }

    const listed = await cli(['keys', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(out.id);
    expect(listed.stdout).not.toContain(out.key);

    const revoked = await cli(['keys', 'revoke', out.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const again = await cli(['keys', 'revoke', out.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no active API key with id .*keys list/);
  }, 60_000);

  it('refuses a bad --scope, --expires or id with a message naming the value and the valid ones', async () => {
    const scope = await cli(['keys', 'create', '--name', 'x', '--scope', 'root']);
    expect(scope.code).not.toBe(0);
    expect(scope.stderr).toMatch(/'root' is invalid.*read, deploy, admin/);
    const expires = await cli(['keys', 'create', '--name', 'x', '--scope', 'read', '--expires', '30 days']);
    expect(expires.code).not.toBe(0);
    expect(expires.stderr).toMatch(/'30 days' is invalid.*e\.g\. 30d/);
    const id = await cli(['keys', 'revoke', 'abc']);
    expect(id.code).toBe(1);
    expect(id.stderr).toMatch(/key id "abc" is not valid/);
  }, 60_000);

  it('creates a join token with the uses and lifetime asked for', async () => {
    const created = await cli(['join-tokens', 'create', '--uses', '3', '--expires', '2h', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const out = JSON.parse(created.stdout) as { id: string; token: string; expiresAt: string };
    expect(out.token).toMatch(/^hnj_/);
    const hours = (new Date(out.expiresAt).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.9);
    expect(hours).toBeLessThan(2.1);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      expect((await client.query('select uses_left from join_tokens where id = $1', [out.id])).rows[0].uses_left).toBe(3);
    } finally {
      await client.end();
    }
    const bad = await cli(['join-tokens', 'create', '--uses', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/'0' is invalid.*1–1000000/);
  }, 60_000);
});
