import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hypernode/testing';
import { ensureDevCredentials, signInUrl } from '../src/credentials/dev-credentials.js';
import { loadCredentialLibs, type CredentialLibs } from '../src/credentials/libs.js';

let db: TestDatabase;
let pool: pg.Pool;
let libs: CredentialLibs;
const root = mkdtempSync(join(tmpdir(), 'hn-dev-credentials-'));
beforeAll(async () => {
  libs = await loadCredentialLibs();
  db = await createTestDatabase();
  await libs.store.migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

const mode = (path: string) => statSync(path).mode & 0o777;

describe('npm start development credentials (.hypernode/)', () => {
  it('creates an admin key and a join token in files of mode 0600, keeps them while valid, replaces a revoked or expired one', async () => {
    const first = await ensureDevCredentials(pool, root, libs);
    expect(first.created).toEqual(['admin-key', 'join-token']);
    expect(first.adminKey).toMatch(/^hn_/);
    expect(first.joinToken).toMatch(/^hnj_/);
    expect(mode(join(root, '.hypernode/admin-key'))).toBe(0o600);
    expect(mode(join(root, '.hypernode/join-token'))).toBe(0o600);
    const key = (await pool.query('select scopes from api_keys where hash = $1', [libs.auth.digest(first.adminKey)])).rows[0];
    expect(key.scopes).toEqual(['admin']);
    const token = (await pool.query(`select uses_left, expires_at > now() + interval '29 days' as long from join_tokens where hash = $1`, [libs.auth.digest(first.joinToken)])).rows[0];
    expect(token).toEqual({ uses_left: 1000, long: true });

    const second = await ensureDevCredentials(pool, root, libs);
    expect(second).toEqual({ adminKey: first.adminKey, joinToken: first.joinToken, created: [] });

    await pool.query('update api_keys set revoked_at = now() where hash = $1', [libs.auth.digest(first.adminKey)]);
    await pool.query(`update join_tokens set expires_at = now() + interval '1 hour' where hash = $1`, [libs.auth.digest(first.joinToken)]);
    const third = await ensureDevCredentials(pool, root, libs);
    expect(third.created).toEqual(['admin-key', 'join-token']);
    expect(third.adminKey).not.toBe(first.adminKey);
    expect(third.joinToken).not.toBe(first.joinToken);
  }, 60_000);

  it('replaces a key file that holds garbage, and tightens a loose file mode', async () => {
    writeFileSync(join(root, '.hypernode/admin-key'), 'not-a-key\n', { mode: 0o644 });
    const after = await ensureDevCredentials(pool, root, libs);
    expect(after.created).toEqual(['admin-key']);
    expect(mode(join(root, '.hypernode/admin-key'))).toBe(0o600);
  }, 60_000);

  it('mints a one-time sign-in URL per frontend', async () => {
    const url = await signInUrl(pool, 'http://localhost:4000/', libs);
    const token = /^http:\/\/localhost:4000\/#sign-in=(hnt_[A-Za-z0-9_-]+)$/.exec(url)?.[1];
    expect(token).toBeDefined();
    const row = (await pool.query(`select scopes, used_at, expires_at < now() + interval '16 minutes' as short from sign_in_tokens where hash = $1`, [libs.auth.digest(token!)])).rows[0];
    expect(row).toEqual({ scopes: ['admin'], used_at: null, short: true });
  }, 60_000);
});
