import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import { portFor } from '@hypernode/ports';

/** Folder of the schema's SQL migrations (applied by the api at start-up, and by `nx run api:migrate`). */
export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

/** Applies every pending migration (node-pg-migrate, under its advisory lock); returns their names. */
export async function migrate(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    // Two API instances starting together: the second waits for the first, then finds nothing to do.
    advisoryLockMode: 'wait',
    logger: { debug: () => undefined, info: log, warn: log, error: log },
  });
  return applied.map((m) => m.name);
}

/** The development database URL: the seed's role and database on the registry's postgres port. */
export function defaultDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const password = encodeURIComponent(env.HYPERNODE_DB_PASSWORD ?? 'password');
  return `postgresql://hypernode:${password}@localhost:${portFor('postgres', { env })}/hypernode`;
}
