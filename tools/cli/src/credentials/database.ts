import type { Pool } from 'pg';
import { checkoutInstance, CliError } from '../common.js';
import { loadCredentialLibs, type CredentialLibs } from './libs.js';

/**
 * Runs `work` with a small pool on `url` (default $DATABASE_URL, else the registry's development
 * database of this checkout's instance) after applying pending migrations, and always ends the pool. A database that does
 * not answer becomes one CliError naming where and what to do.
 */
export async function withDatabase(url: string | undefined, work: (db: { pool: Pool; libs: CredentialLibs }) => Promise<void>): Promise<void> {
  const libs = await loadCredentialLibs();
  // Without HYPERNODE_INSTANCE, the database of the instance this checkout runs as (if it runs).
  const leased = process.env.HYPERNODE_INSTANCE ? undefined : checkoutInstance();
  const env = leased === undefined ? process.env : { ...process.env, HYPERNODE_INSTANCE: String(leased) };
  const databaseUrl = url || process.env.DATABASE_URL || libs.store.defaultDatabaseUrl(env);
  let pool: Pool | undefined;
  try {
    await libs.store.migrate(databaseUrl);
    pool = libs.kit.createPgPool(databaseUrl, { max: 2 });
    await work({ pool, libs });
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.code?.startsWith('E_')) throw error;
    throw new CliError(`PostgreSQL at ${redact(databaseUrl)} failed: ${e.message}. Fix: start it (\`npm start\` does), check \`npx hypernode health\`, or pass --database-url / DATABASE_URL`);
  } finally {
    await pool?.end().catch(() => undefined);
  }
}

/** The URL with its password masked, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(DATABASE_URL)';
  }
}
