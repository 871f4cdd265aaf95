import type { Pool } from 'pg';
import type { CredentialLibs } from './libs.js';
import { ADMIN_KEY_FILE, devFile, JOIN_TOKEN_FILE, readSecretFile, writeSecretFile } from './dev-files.js';

/** Uses of the development join token: every worker start takes one. */
export const DEV_JOIN_TOKEN_USES = 1000;
/** Lifetime of the development join token. */
export const DEV_JOIN_TOKEN_TTL_S = 30 * 86_400;
// A join token this close to its end (or its last uses) is replaced before the workers need it.
const JOIN_TOKEN_MIN_LEFT_S = 86_400;
const JOIN_TOKEN_MIN_USES = 10;

/** What `npm start` hands on: the admin key (for the CLI), the join token (for the workers). */
export interface DevCredentials {
  adminKey: string;
  joinToken: string;
  /** Which of the two were made now (the others were still valid). */
  created: ('admin-key' | 'join-token')[];
}

/**
 * Makes sure `.hypernode/admin-key` holds a valid admin key and `.hypernode/join-token` a join
 * token with uses and time left, creating (in PostgreSQL, with the store functions) whichever
 * is missing, revoked, expired or used up. Files are mode 0600; their values are never printed.
 */
export async function ensureDevCredentials(pool: Pool, root: string, libs: CredentialLibs): Promise<DevCredentials> {
  const { auth, store } = libs;
  const created: DevCredentials['created'] = [];
  const keyPath = devFile(root, ADMIN_KEY_FILE);
  let adminKey = readSecretFile(keyPath);
  const keyValid =
    adminKey !== undefined &&
    (
      await pool.query(
        `select 1 from api_keys where hash = $1 and revoked_at is null and (expires_at is null or expires_at > now()) and 'admin' = any(scopes)`,
        [auth.digest(adminKey)],
      )
    ).rowCount === 1;
  if (!keyValid) {
    adminKey = (await store.createApiKey(pool, { name: 'development admin (npm start)', scopes: ['admin'] })).key;
    writeSecretFile(keyPath, adminKey);
    created.push('admin-key');
  }
  const tokenPath = devFile(root, JOIN_TOKEN_FILE);
  let joinToken = readSecretFile(tokenPath);
  const tokenValid =
    joinToken !== undefined &&
    (
      await pool.query(
        `select 1 from join_tokens where hash = $1 and revoked_at is null and uses_left >= $2 and expires_at > now() + make_interval(secs => $3)`,
        [auth.digest(joinToken), JOIN_TOKEN_MIN_USES, JOIN_TOKEN_MIN_LEFT_S],
      )
    ).rowCount === 1;
  if (!tokenValid) {
    joinToken = (await store.createJoinToken(pool, { uses: DEV_JOIN_TOKEN_USES, ttlS: DEV_JOIN_TOKEN_TTL_S })).token;
    writeSecretFile(tokenPath, joinToken);
    created.push('join-token');
  }
  return { adminKey: adminKey!, joinToken: joinToken!, created };
}

/** A one-time sign-in URL for a frontend: `<frontend url>/#sign-in=<hnt_…>` (admin scopes, 15 min). */
export async function signInUrl(pool: Pool, frontendUrl: string, libs: CredentialLibs): Promise<string> {
  const token = await libs.store.createSignInToken(pool, { scopes: ['admin'] });
  return `${frontendUrl.replace(/\/$/, '')}/#sign-in=${token}`;
}
