import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import { hostFor, instanceDatabaseName, portFor, resolveSettings, urlHost } from '@hypernode/ports';

/**
 * Where the schema's SQL migrations may be, first found wins: beside the running bundle (an app's
 * `nx run <app>:build` copies them to `dist/apps/<app>/migrations`, next to `main.js`), then
 * beside these sources (`libs/store/migrations`).
 */
const MIGRATIONS_CANDIDATES = [join(import.meta.dirname, 'migrations'), join(import.meta.dirname, '..', 'migrations')];

/** Folder of the schema's SQL migrations (applied by the api at start-up, and by `nx run api:migrate`). */
export const MIGRATIONS_DIR = MIGRATIONS_CANDIDATES.find((dir) => existsSync(dir)) ?? MIGRATIONS_CANDIDATES[1]!;

/** Applies every pending migration (node-pg-migrate, under its advisory lock); returns their names. */
export async function migrate(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  if (!existsSync(MIGRATIONS_DIR)) {
    throw new Error(`migrations folder not found (looked in ${MIGRATIONS_CANDIDATES.join(' and ')}): run from the workspace, or rebuild the app with \`npx nx run <app>:build\`, which copies libs/store/migrations beside main.js`);
  }
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

/**
 * The development database URL: the seed's role on the registry's postgres port and host
 * (POSTGRES_HOST, HYPERNODE_NETWORK), and the instance's database (`hypernode`, or
 * `hypernode_<n>` for HYPERNODE_INSTANCE=n).
 */
export function defaultDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const password = encodeURIComponent(env.HYPERNODE_DB_PASSWORD ?? 'password');
  const database = instanceDatabaseName(resolveSettings({ env }).instance);
  return `postgresql://hypernode:${password}@${urlHost(hostFor('postgres', { env }))}:${portFor('postgres', { env })}/${database}`;
}
