/** The application's database, role and development password (the seed's compose values). */
export const APP_DATABASE = { name: 'hypernode', role: 'hypernode', developmentPassword: 'password' } as const;

/** The variable holding the role's password; the apps read the same one. */
export const DB_PASSWORD_ENV = 'HYPERNODE_DB_PASSWORD';

/**
 * The `psql` commands that create the role and database by hand. The password is never in
 * the text: psql takes it from the shell's HYPERNODE_DB_PASSWORD (`-v pw=…`, quoted by
 * `:'pw'`), so it lands in neither this output nor a log.
 */
export function databaseSetupCommand(port: number, database: string = APP_DATABASE.name): string {
  const sql = [`"CREATE ROLE ${APP_DATABASE.role} LOGIN PASSWORD :'pw';"`, `"CREATE DATABASE ${database} OWNER ${APP_DATABASE.role};"`];
  return `printf '%s\\n' ${sql.join(' ')} | psql -h localhost -p ${port} -U postgres -v ON_ERROR_STOP=1 -v pw="\${${DB_PASSWORD_ENV}:?set ${DB_PASSWORD_ENV} to the password the apps use}"`;
}

/**
 * Creates the `hypernode` role and the instance's database (`hypernode`, or `hypernode_<n>`)
 * when missing, connecting as a superuser (PGUSER, default `postgres`). When it cannot, it
 * says exactly what to run instead.
 */
export async function ensureDatabase(port: number, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env, database: string = APP_DATABASE.name): Promise<void> {
  const { default: pg } = await import('pg');
  const password = env[DB_PASSWORD_ENV] ?? APP_DATABASE.developmentPassword;
  const user = env.PGUSER ?? 'postgres';
  const client = new pg.Client({ host: 'localhost', port, user, database: 'postgres', password: env.PGPASSWORD, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const role = await client.query('select 1 from pg_roles where rolname = $1', [APP_DATABASE.role]);
    if (role.rowCount === 0) {
      await client.query(`create role ${APP_DATABASE.role} login password ${client.escapeLiteral(password)}`);
      log(`postgres: created role ${APP_DATABASE.role}`);
    }
    const db = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (db.rowCount === 0) {
      try {
        await client.query(`create database ${client.escapeIdentifier(database)} owner ${APP_DATABASE.role}`);
        log(`postgres: created database ${database}`);
      } catch (error) {
        // Two starts of one instance at once: the other created it first.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } catch (error) {
    log(
      `postgres: could not make sure role and database "${database}" exist as ${user} (${(error as Error).message}). Run as a superuser, with ${DB_PASSWORD_ENV} set in your shell:\n` +
        `  ${databaseSetupCommand(port, database)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
