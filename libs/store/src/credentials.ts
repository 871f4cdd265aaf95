import type { Pool } from 'pg';
import { AuthInputError, digest, isScope, isSecretOf, newSecret, sameDigest, type Principal, type Scope } from '@hypernode/auth';

/** How long a session lasts (12 h), a sign-in token (15 min), and how often a key's last use is written (1 min). */
export const SESSION_TTL_S = 12 * 3600;
export const SIGN_IN_TOKEN_TTL_S = 15 * 60;
const TOUCH_EVERY_S = 60;

/** Why a credential was refused (`exhausted`: a join token with no uses left). */
export type Refusal = 'unknown' | 'revoked' | 'expired' | 'exhausted';
/** A credential resolved to who presented it, or the reason it was refused. */
export type Resolution = { principal: Principal; reason?: undefined; expiresAt?: Date | null } | { principal?: undefined; reason: Refusal };

/** An API key as listed (never its secret, which only createApiKey returns, once). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** A new session: the `hns_` secret for the cookie, who it is, and when it ends. */
export interface NewSession {
  session: string;
  principal: Principal;
  expiresAt: string;
}

function checkScopes(scopes: readonly string[], where: string): Scope[] {
  if (scopes.length === 0 || !scopes.every(isScope)) {
    throw new AuthInputError(`${where}: scopes ${JSON.stringify(scopes)} are not valid: give one or more of read, deploy, admin`);
  }
  return [...new Set(scopes)];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Why a row that matched is not usable now, or undefined when it is. */
function refusalOf(row: { revoked_at?: Date | null; expires_at?: Date | null }): Refusal | undefined {
  if (row.revoked_at) return 'revoked';
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return 'expired';
  return undefined;
}

/** Creates an API key; the returned `key` (`hn_…`) is shown this once — only its digest is stored. */
export async function createApiKey(pool: Pool, input: { name: string; scopes: Scope[]; expiresAt?: Date }): Promise<{ id: string; key: string; name: string; scopes: Scope[]; expiresAt: string | null }> {
  const scopes = checkScopes(input.scopes, `API key "${input.name}"`);
  const key = newSecret('hn_');
  const { rows } = await pool.query<{ id: string; expires_at: Date | null }>(
    'INSERT INTO api_keys (name, hash, scopes, expires_at) VALUES ($1, $2, $3, $4) RETURNING id, expires_at',
    [input.name, digest(key), scopes, input.expiresAt ?? null],
  );
  return { id: rows[0]!.id, key, name: input.name, scopes, expiresAt: iso(rows[0]!.expires_at) };
}

/** Every API key, newest first, without secrets. */
export async function listApiKeys(pool: Pool): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query<{ id: string; name: string; scopes: Scope[]; created_at: Date; last_used_at: Date | null; expires_at: Date | null; revoked_at: Date | null }>(
    'SELECT id, name, scopes, created_at, last_used_at, expires_at, revoked_at FROM api_keys ORDER BY created_at DESC, id DESC',
  );
  return rows.map((r) => ({ id: r.id, name: r.name, scopes: r.scopes, createdAt: r.created_at.toISOString(), lastUsedAt: iso(r.last_used_at), expiresAt: iso(r.expires_at), revokedAt: iso(r.revoked_at) }));
}

/** Revokes a key (and with it every session made from it); false when no such active key exists. */
export async function revokeApiKey(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return rowCount === 1;
}

/** Creates a one-time sign-in token (`hnt_…`, default 15 min) for the printed sign-in URL. */
export async function createSignInToken(pool: Pool, input: { scopes: Scope[]; ttlS?: number }): Promise<string> {
  const scopes = checkScopes(input.scopes, 'sign-in token');
  const token = newSecret('hnt_');
  await pool.query("INSERT INTO sign_in_tokens (hash, scopes, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))", [digest(token), scopes, input.ttlS ?? SIGN_IN_TOKEN_TTL_S]);
  return token;
}

/** Creates a join token (`hnj_…`) good for `uses` node registrations within `ttlS` seconds. */
export async function createJoinToken(pool: Pool, input: { uses: number; ttlS: number }): Promise<{ id: string; token: string; expiresAt: string }> {
  if (!Number.isInteger(input.uses) || input.uses < 1) throw new AuthInputError(`join token: uses=${input.uses} is not valid: give a whole number of at least 1`);
  const token = newSecret('hnj_');
  const { rows } = await pool.query<{ id: string; expires_at: Date }>(
    'INSERT INTO join_tokens (hash, uses_left, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id, expires_at',
    [digest(token), input.uses, input.ttlS],
  );
  return { id: rows[0]!.id, token, expiresAt: rows[0]!.expires_at.toISOString() };
}

/**
 * Makes an operator-chosen join token (`hnj_…`, e.g. compose's HYPERNODE_JOIN_TOKEN) valid
 * for `uses` registrations within `ttlS`, unless its digest is known already: a token an admin
 * revoked stays revoked. Returns whether it was added now.
 */
export async function ensureJoinToken(pool: Pool, token: string, input: { uses: number; ttlS: number }): Promise<'added' | 'known'> {
  if (!isSecretOf('hnj_', token)) throw new AuthInputError('join token: not a join token (hnj_ followed by 43 base64url characters)');
  const { rowCount } = await pool.query(
    'INSERT INTO join_tokens (hash, uses_left, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) ON CONFLICT (hash) DO NOTHING',
    [digest(token), input.uses, input.ttlS],
  );
  return rowCount === 1 ? 'added' : 'known';
}

/** Resolves an API key (`hn_…`) with its expiry (null: never); writes its last use at most once a minute. */
export async function resolveApiKey(pool: Pool, key: string): Promise<Resolution> {
  if (!isSecretOf('hn_', key)) return { reason: 'unknown' };
  const hash = digest(key);
  const { rows } = await pool.query<{ id: string; name: string; hash: Buffer; scopes: Scope[]; expires_at: Date | null; revoked_at: Date | null; stale: boolean }>(
    `SELECT id, name, hash, scopes, expires_at, revoked_at, (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ${TOUCH_EVERY_S})) AS stale
     FROM api_keys WHERE hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row || !sameDigest(row.hash, hash)) return { reason: 'unknown' };
  const refused = refusalOf(row);
  if (refused) return { reason: refused };
  if (row.stale) await pool.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [row.id]);
  return { principal: { kind: 'key', id: row.id, scopes: row.scopes, name: row.name }, expiresAt: row.expires_at };
}

/** Resolves a session (`hns_…`); one made from a key ends when that key is revoked or expires. */
export async function resolveSession(pool: Pool, session: string): Promise<Resolution> {
  if (!isSecretOf('hns_', session)) return { reason: 'unknown' };
  const hash = digest(session);
  const { rows } = await pool.query<{ id: string; hash: Buffer; scopes: Scope[]; expires_at: Date; revoked_at: Date | null; key_revoked_at: Date | null; key_expires_at: Date | null }>(
    `SELECT s.id, s.hash, s.scopes, s.expires_at, s.revoked_at, k.revoked_at AS key_revoked_at, k.expires_at AS key_expires_at
     FROM sessions s LEFT JOIN api_keys k ON s.source = 'key:' || k.id::text WHERE s.hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row || !sameDigest(row.hash, hash)) return { reason: 'unknown' };
  const refused = refusalOf(row) ?? refusalOf({ revoked_at: row.key_revoked_at, expires_at: row.key_expires_at });
  if (refused) return { reason: refused };
  return { principal: { kind: 'session', id: row.id, scopes: row.scopes } };
}

/** Resolves a node credential (`hnn_…`) to its node: a `node` principal with no scopes. */
export async function resolveNodeCredential(pool: Pool, credential: string): Promise<Resolution> {
  if (!isSecretOf('hnn_', credential)) return { reason: 'unknown' };
  const hash = digest(credential);
  const { rows } = await pool.query<{ id: string; name: string; credential_hash: Buffer }>('SELECT id, name, credential_hash FROM nodes WHERE credential_hash = $1', [hash]);
  const row = rows[0];
  if (!row || !sameDigest(row.credential_hash, hash)) return { reason: 'unknown' };
  return { principal: { kind: 'node', id: row.id, scopes: [], nodeId: row.id, name: row.name } };
}

/**
 * Ends a node's credential (it deregistered): its `hnn_` no longer works and the node cannot
 * heartbeat itself back online; a worker that starts again registers anew with a join token.
 */
export async function retireNodeCredential(pool: Pool, nodeId: string): Promise<void> {
  await pool.query('UPDATE nodes SET credential_hash = NULL WHERE id = $1', [nodeId]);
}

async function newSession(pool: Pool, scopes: Scope[], source: string, endsBy: Date | null): Promise<NewSession> {
  const session = newSecret('hns_');
  const { rows } = await pool.query<{ id: string; expires_at: Date }>(
    `INSERT INTO sessions (hash, scopes, source, expires_at)
     VALUES ($1, $2, $3, LEAST(now() + make_interval(secs => $4), COALESCE($5::timestamptz, 'infinity'))) RETURNING id, expires_at`,
    [digest(session), scopes, source, SESSION_TTL_S, endsBy],
  );
  return { session, principal: { kind: 'session', id: rows[0]!.id, scopes }, expiresAt: rows[0]!.expires_at.toISOString() };
}

/** Exchanges a one-time sign-in token for a session; the token is spent atomically (a second use is refused). */
export async function signInWithToken(pool: Pool, token: string): Promise<NewSession | { reason: Refusal }> {
  if (!isSecretOf('hnt_', token)) return { reason: 'unknown' };
  const hash = digest(token);
  const { rows } = await pool.query<{ hash: Buffer; scopes: Scope[] }>(
    'UPDATE sign_in_tokens SET used_at = now() WHERE hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING hash, scopes',
    [hash],
  );
  const row = rows[0];
  if (!row || !sameDigest(row.hash, hash)) {
    const { rows: seen } = await pool.query<{ used_at: Date | null }>('SELECT used_at FROM sign_in_tokens WHERE hash = $1', [hash]);
    return { reason: !seen[0] ? 'unknown' : seen[0].used_at ? 'revoked' : 'expired' };
  }
  return newSession(pool, row.scopes, 'sign-in-token', null);
}

/** Opens a session for a person who pasted an API key: same scopes, ends with the key (or after 12 h). */
export async function signInWithKey(pool: Pool, key: string): Promise<NewSession | { reason: Refusal }> {
  const resolved = await resolveApiKey(pool, key);
  if (!resolved.principal) return resolved;
  const { rows } = await pool.query<{ expires_at: Date | null }>('SELECT expires_at FROM api_keys WHERE id = $1', [resolved.principal.id]);
  return newSession(pool, resolved.principal.scopes, `key:${resolved.principal.id}`, rows[0]?.expires_at ?? null);
}

/** Ends a session (sign-out); false when it was unknown or already ended. */
export async function revokeSession(pool: Pool, sessionId: string): Promise<boolean> {
  const { rowCount } = await pool.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [sessionId]);
  return rowCount === 1;
}

/** Whether a join token could register a node now (without spending a use); registerNode spends it. */
export async function checkJoinToken(pool: Pool, token: string): Promise<{ ok: true } | { ok: false; reason: Refusal }> {
  if (!isSecretOf('hnj_', token)) return { ok: false, reason: 'unknown' };
  const hash = digest(token);
  const { rows } = await pool.query<{ hash: Buffer; uses_left: number; expires_at: Date; revoked_at: Date | null }>('SELECT hash, uses_left, expires_at, revoked_at FROM join_tokens WHERE hash = $1', [hash]);
  const row = rows[0];
  if (!row || !sameDigest(row.hash, hash)) return { ok: false, reason: 'unknown' };
  const refused = refusalOf(row) ?? (row.uses_left < 1 ? 'exhausted' : undefined);
  return refused ? { ok: false, reason: refused } : { ok: true };
}

/** The secret the automation engine must present to this node's worker (`Authorization: Bearer hnd_…`); undefined for an unknown node. */
export async function dispatchSecretFor(pool: Pool, nodeId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ dispatch_secret: string | null }>('SELECT dispatch_secret FROM nodes WHERE id = $1', [nodeId]);
  return rows[0]?.dispatch_secret ?? undefined;
}
