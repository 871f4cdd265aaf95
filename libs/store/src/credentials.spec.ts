import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthInputError, digest, newSecret } from '@hypernode/auth';
import {
  checkJoinToken,
  createApiKey,
  createJoinToken,
  createSignInToken,
  dispatchSecretFor,
  ensureJoinToken,
  listApiKeys,
  resolveApiKey,
  resolveNodeCredential,
  resolveSession,
  revokeApiKey,
  revokeSession,
  signInWithKey,
  signInWithToken,
} from './credentials.js';
import { getNode, JoinTokenRefusedError, NodeNameTakenError, registerNode } from './nodes.js';
import { migratedTestPool } from './test-database.js';

let db: Awaited<ReturnType<typeof migratedTestPool>>;
beforeAll(async () => {
  db = await migratedTestPool();
});
afterAll(async () => {
  await db?.close();
});

const worker = (name: string) => ({ name, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' });

describe('API keys', () => {
  it('are shown once, stored as a digest, resolved to a key principal, listed without secrets, and revocable', async () => {
    const made = await createApiKey(db.pool, { name: 'ci', scopes: ['deploy'] });
    expect(made).toMatchObject({ name: 'ci', scopes: ['deploy'], expiresAt: null, key: expect.stringMatching(/^hn_[A-Za-z0-9_-]{43}$/) });
    const { rows } = await db.pool.query('SELECT hash FROM api_keys WHERE id = $1', [made.id]);
    expect(rows[0].hash).toEqual(digest(made.key));
    expect(JSON.stringify(await db.pool.query('SELECT * FROM api_keys'))).not.toContain(made.key.slice(3));

    expect(await resolveApiKey(db.pool, made.key)).toEqual({ principal: { kind: 'key', id: made.id, scopes: ['deploy'], name: 'ci' }, expiresAt: null });
    const listed = (await listApiKeys(db.pool)).find((k) => k.id === made.id)!;
    expect(listed).toMatchObject({ name: 'ci', scopes: ['deploy'], revokedAt: null, lastUsedAt: expect.any(String) });
    expect(JSON.stringify(listed)).not.toContain(made.key);

    expect(await revokeApiKey(db.pool, made.id)).toBe(true);
    expect(await revokeApiKey(db.pool, made.id)).toBe(false);
    expect(await resolveApiKey(db.pool, made.key)).toEqual({ reason: 'revoked' });
    expect(await resolveApiKey(db.pool, newSecret('hn_'))).toEqual({ reason: 'unknown' });
    expect(await resolveApiKey(db.pool, 'hn_ħ')).toEqual({ reason: 'unknown' });
  });

  it('expire, and write last use at most once a minute', async () => {
    const old = await createApiKey(db.pool, { name: 'old', scopes: ['read'], expiresAt: new Date(Date.now() - 1000) });
    expect(await resolveApiKey(db.pool, old.key)).toEqual({ reason: 'expired' });
    const key = await createApiKey(db.pool, { name: 'touch', scopes: ['read'] });
    await resolveApiKey(db.pool, key.key);
    const first = (await db.pool.query('SELECT last_used_at FROM api_keys WHERE id = $1', [key.id])).rows[0].last_used_at;
    await resolveApiKey(db.pool, key.key);
    expect((await db.pool.query('SELECT last_used_at FROM api_keys WHERE id = $1', [key.id])).rows[0].last_used_at).toEqual(first);
    await db.pool.query("UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1", [key.id]);
    await resolveApiKey(db.pool, key.key);
    expect((await db.pool.query('SELECT last_used_at FROM api_keys WHERE id = $1', [key.id])).rows[0].last_used_at.getTime()).toBeGreaterThan(Date.now() - 10_000);
  });

  it('refuse unknown scopes', async () => {
    await expect(createApiKey(db.pool, { name: 'x', scopes: ['root' as never] })).rejects.toThrow(AuthInputError);
    await expect(createApiKey(db.pool, { name: 'x', scopes: [] })).rejects.toThrow(/scopes \[\] are not valid/);
  });
});

describe('sessions', () => {
  it('a sign-in token opens one session, once, even when raced', async () => {
    const token = await createSignInToken(db.pool, { scopes: ['admin'] });
    const results = await Promise.all([signInWithToken(db.pool, token), signInWithToken(db.pool, token), signInWithToken(db.pool, token)]);
    const opened = results.filter((r) => 'session' in r);
    expect(opened).toHaveLength(1);
    expect(results.filter((r) => 'reason' in r).map((r) => (r as { reason: string }).reason)).toEqual(['revoked', 'revoked']);
    const { session, principal, expiresAt } = opened[0] as { session: string; principal: { id: string }; expiresAt: string };
    expect(session).toMatch(/^hns_/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    expect(await resolveSession(db.pool, session)).toEqual({ principal: { kind: 'session', id: principal.id, scopes: ['admin'] } });
    expect(await revokeSession(db.pool, principal.id)).toBe(true);
    expect(await resolveSession(db.pool, session)).toEqual({ reason: 'revoked' });
  });

  it('an expired or unknown sign-in token opens nothing', async () => {
    const token = await createSignInToken(db.pool, { scopes: ['read'], ttlS: 0 });
    expect(await signInWithToken(db.pool, token)).toEqual({ reason: 'expired' });
    expect(await signInWithToken(db.pool, newSecret('hnt_'))).toEqual({ reason: 'unknown' });
    expect(await signInWithToken(db.pool, 'hnt_x')).toEqual({ reason: 'unknown' });
  });

  it('a session made from a key has its scopes and ends when the key is revoked', async () => {
    const key = await createApiKey(db.pool, { name: 'paste', scopes: ['deploy'] });
    const opened = await signInWithKey(db.pool, key.key);
    if (!('session' in opened)) throw new Error(`refused: ${opened.reason}`);
    expect(opened.principal.scopes).toEqual(['deploy']);
    expect((await db.pool.query('SELECT source FROM sessions WHERE id = $1', [opened.principal.id])).rows[0].source).toBe(`key:${key.id}`);
    expect((await resolveSession(db.pool, opened.session)).principal?.id).toBe(opened.principal.id);
    await revokeApiKey(db.pool, key.id);
    expect(await resolveSession(db.pool, opened.session)).toEqual({ reason: 'revoked' });
    expect(await signInWithKey(db.pool, key.key)).toEqual({ reason: 'revoked' });
  });

  it('expire after their time', async () => {
    const token = await createSignInToken(db.pool, { scopes: ['read'] });
    const opened = await signInWithToken(db.pool, token);
    if (!('session' in opened)) throw new Error('refused');
    await db.pool.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [opened.principal.id]);
    expect(await resolveSession(db.pool, opened.session)).toEqual({ reason: 'expired' });
  });
});

describe('join tokens and node registration', () => {
  it('a join token registers new names until its uses run out; a taken name is refused and gives the use back', async () => {
    const { token } = await createJoinToken(db.pool, { uses: 2, ttlS: 60 });
    const a = await registerNode(db.pool, worker('jt-a'), { joinToken: token });
    expect(a.credential).toMatch(/^hnn_/);
    expect(a.dispatchSecret).toMatch(/^hnd_/);
    expect(JSON.stringify(a.node)).not.toMatch(/hnn_|hnd_|credential|dispatch/);
    await expect(registerNode(db.pool, { ...worker('jt-a'), workerUrl: 'http://127.0.0.1:2/' }, { joinToken: token })).rejects.toThrow(NodeNameTakenError);
    expect((await getNode(db.pool, a.node.id))!.workerUrl).toBe('http://127.0.0.1:1/');
    expect(await checkJoinToken(db.pool, token)).toEqual({ ok: true });
    await registerNode(db.pool, worker('jt-b'), { joinToken: token });
    expect(await checkJoinToken(db.pool, token)).toEqual({ ok: false, reason: 'exhausted' });
    await expect(registerNode(db.pool, worker('jt-c'), { joinToken: token })).rejects.toThrow(JoinTokenRefusedError);
    await expect(registerNode(db.pool, worker('jt-c'), { joinToken: token })).rejects.toThrow(/has no uses left/);
  });

  it('a restarted worker reclaims its name with a join token once its node is offline, never while it is online', async () => {
    const { token } = await createJoinToken(db.pool, { uses: 5, ttlS: 60 });
    const first = await registerNode(db.pool, worker('restarts'), { joinToken: token });
    await expect(registerNode(db.pool, worker('restarts'), { joinToken: token })).rejects.toThrow(/that node is online/);
    await db.pool.query("UPDATE nodes SET status = 'offline' WHERE id = $1", [first.node.id]);
    const again = await registerNode(db.pool, worker('restarts'), { joinToken: token });
    expect(again.node.id).toBe(first.node.id);
    expect(again.node.status).toBe('online');
    expect(again.credential).not.toBe(first.credential);
  });

  it('uses are spent atomically when raced', async () => {
    const { token } = await createJoinToken(db.pool, { uses: 3, ttlS: 60 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => registerNode(db.pool, worker(`race-jt-${i}`), { joinToken: token })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await db.pool.query('SELECT uses_left FROM join_tokens WHERE hash = $1', [digest(token)])).rows[0].uses_left).toBe(0);
  });

  it('expired, revoked and unknown join tokens register nothing', async () => {
    const expired = await createJoinToken(db.pool, { uses: 5, ttlS: 0 });
    await expect(registerNode(db.pool, worker('jt-x'), { joinToken: expired.token })).rejects.toMatchObject({ code: 'E_JOIN_TOKEN', reason: 'expired' });
    const revoked = await createJoinToken(db.pool, { uses: 5, ttlS: 60 });
    await db.pool.query('UPDATE join_tokens SET revoked_at = now() WHERE id = $1', [revoked.id]);
    await expect(registerNode(db.pool, worker('jt-x'), { joinToken: revoked.token })).rejects.toMatchObject({ reason: 'revoked' });
    await expect(registerNode(db.pool, worker('jt-x'), { joinToken: newSecret('hnj_') })).rejects.toMatchObject({ reason: 'unknown' });
    expect(await getNodeByName('jt-x')).toBeUndefined();
    await expect(createJoinToken(db.pool, { uses: 0, ttlS: 60 })).rejects.toThrow(/uses=0 is not valid/);
  });

  it("an operator's join token (compose's HYPERNODE_JOIN_TOKEN) is stored once, registers nodes, and a revoked one stays revoked", async () => {
    const token = newSecret('hnj_');
    expect(await ensureJoinToken(db.pool, token, { uses: 2, ttlS: 60 })).toBe('added');
    expect(await ensureJoinToken(db.pool, token, { uses: 2, ttlS: 60 })).toBe('known');
    expect((await registerNode(db.pool, worker('op-a'), { joinToken: token })).node.name).toBe('op-a');
    await db.pool.query('UPDATE join_tokens SET revoked_at = now() WHERE hash = $1', [digest(token)]);
    expect(await ensureJoinToken(db.pool, token, { uses: 2, ttlS: 60 })).toBe('known');
    await expect(registerNode(db.pool, worker('op-b'), { joinToken: token })).rejects.toMatchObject({ reason: 'revoked' });
    await expect(ensureJoinToken(db.pool, 'hnj_short', { uses: 2, ttlS: 60 })).rejects.toThrow(AuthInputError);
  });

  it('a node credential resolves to its node, re-registers only that node, and rotating it ends the old one', async () => {
    const { token } = await createJoinToken(db.pool, { uses: 5, ttlS: 60 });
    const a = await registerNode(db.pool, worker('own-a'), { joinToken: token });
    const b = await registerNode(db.pool, worker('own-b'), { joinToken: token });
    expect(await resolveNodeCredential(db.pool, a.credential)).toEqual({ principal: { kind: 'node', id: a.node.id, nodeId: a.node.id, scopes: [], name: 'own-a' } });
    expect(await dispatchSecretFor(db.pool, a.node.id)).toBe(a.dispatchSecret);
    await expect(registerNode(db.pool, worker('own-b'), { nodeId: a.node.id })).rejects.toThrow(NodeNameTakenError);
    const again = await registerNode(db.pool, { ...worker('own-a'), vramGb: 40 }, { nodeId: a.node.id });
    expect(again.node).toMatchObject({ id: a.node.id, vramGb: 40 });
    expect(await resolveNodeCredential(db.pool, a.credential)).toEqual({ reason: 'unknown' });
    expect((await resolveNodeCredential(db.pool, again.credential)).principal?.nodeId).toBe(a.node.id);
    expect(await dispatchSecretFor(db.pool, a.node.id)).toBe(again.dispatchSecret);
    expect((await resolveNodeCredential(db.pool, b.credential)).principal?.nodeId).toBe(b.node.id);
    expect(await dispatchSecretFor(db.pool, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});

async function getNodeByName(name: string) {
  return (await db.pool.query('SELECT id FROM nodes WHERE name = $1', [name])).rows[0];
}
