import { createApiKey, createJoinToken } from '@hypernode/store';
import { directPool } from './direct-db.js';
import type { PgServer } from './pg-server.js';

/** The credentials a scenario's stack made in its own database (each shown once, kept in memory). */
export interface StackCredentials {
  /** `hn_…` with the admin scope: what the suite's own HTTP calls and WebSocket connections send. */
  adminKey: string;
  /** `hn_…` with the deploy scope. */
  deployKey: string;
  /** `hnj_…` the stack's GPU workers (and scenarios that register nodes) register with. */
  joinToken: string;
}

/** Subprotocol the realtime server answers with; offered beside the key's. */
const WS_PROTOCOL = 'hypernode.v1';

let current: StackCredentials | undefined;

/**
 * Creates an admin key, a deploy key and a join token directly in the scenario's database with
 * the store functions (the api must have migrated it), and makes them the credentials every
 * harness request uses. One stack runs at a time, so one current set is enough.
 */
export async function createStackCredentials(pg: PgServer): Promise<StackCredentials> {
  const pool = directPool(pg, { max: 1 });
  try {
    const admin = await createApiKey(pool, { name: 'faults-admin', scopes: ['admin'] });
    const deploy = await createApiKey(pool, { name: 'faults-deploy', scopes: ['deploy'] });
    const join = await createJoinToken(pool, { uses: 10_000, ttlS: 24 * 3600 });
    current = { adminKey: admin.key, deployKey: deploy.key, joinToken: join.token };
    return current;
  } finally {
    await pool.end();
  }
}

/** Forgets the current credentials (the stack that made them closed). */
export function clearStackCredentials(): void {
  current = undefined;
}

/** The current stack's credentials; throws when no stack made any. */
export function stackCredentials(): StackCredentials {
  if (!current) throw new Error('no stack credentials: start a stack (startStack) before calling its services');
  return current;
}

/** `Authorization: Bearer <admin key>` for the current stack, or nothing when no stack is up. */
export function authHeaders(): Record<string, string> {
  return current ? { authorization: `Bearer ${current.adminKey}` } : {};
}

/** `Authorization: Bearer <join token>`: what POST /nodes needs. */
export function joinAuth(): Record<string, string> {
  return { authorization: `Bearer ${stackCredentials().joinToken}` };
}

/** The WebSocket subprotocols that carry the admin key (never a key in the URL). */
export function wsProtocols(): string[] {
  return current ? [WS_PROTOCOL, `hypernode.bearer.${current.adminKey}`] : [];
}

/**
 * Request headers with the stack's credential unless the request names its own `authorization`
 * (a value of undefined there means: send none).
 */
export function withAuth(headers: Record<string, string | undefined> = {}): Record<string, string> {
  const merged: Record<string, string | undefined> = { ...authHeaders(), ...headers };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}
