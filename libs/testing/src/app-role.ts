// Vitest global setup: the machine's PostgreSQL keeps no `hypernode` role the run made.
//
// A test that starts a stack on a pinned instance lets its infra task create the app role and
// that instance's database (`hypernode_N`) in the registry's PostgreSQL, as on a user's laptop;
// the tests drop the database afterwards, but the role is shared by every instance, so no single
// test may drop it. Here, once a project's run ends: when the role did not exist at its start, it
// is dropped — and PostgreSQL itself refuses while anything (a running stack's database) still
// belongs to it, so a stack someone else runs meanwhile keeps it.
import type pg from 'pg';
import { adminClient } from './index.js';

/** The role `hypernode infra` creates (tools/cli/src/stack/database.ts, APP_DATABASE.role). */
export const APP_ROLE = 'hypernode';

/** A bounded superuser connection to the registry's PostgreSQL; undefined when it does not answer. */
async function admin(): Promise<pg.Client | undefined> {
  const client = adminClient(2_000);
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
}

/** Whether `role` exists; undefined when PostgreSQL does not answer. */
export async function roleExists(role: string = APP_ROLE): Promise<boolean | undefined> {
  const client = await admin();
  if (!client) return undefined;
  try {
    return (await client.query('select 1 from pg_roles where rolname = $1', [role])).rowCount === 1;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Drops `role` unless something still depends on it (PostgreSQL refuses: 2BP01). Returns what
 * happened: 'dropped', 'in use', 'absent', or 'unreachable'.
 */
export async function dropRoleIfUnused(role: string = APP_ROLE): Promise<'dropped' | 'in use' | 'absent' | 'unreachable'> {
  const client = await admin();
  if (!client) return 'unreachable';
  try {
    if ((await client.query('select 1 from pg_roles where rolname = $1', [role])).rowCount === 0) return 'absent';
    await client.query(`drop role ${client.escapeIdentifier(role)}`);
    return 'dropped';
  } catch (error) {
    if ((error as { code?: string }).code === '2BP01') return 'in use';
    return 'unreachable';
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const before = await roleExists();
  return async () => {
    if (before === false) await dropRoleIfUnused();
  };
}
