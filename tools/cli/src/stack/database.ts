/** The application's database, role and development password (the seed's compose values). */
export const APP_DATABASE = { name: 'hypernode', role: 'hypernode', developmentPassword: 'password' } as const;

/**
 * Creates the `hypernode` role and database when missing, connecting as a superuser
 * (PGUSER, default `postgres`). When it cannot, it says exactly what to run instead.
 */
export async function ensureDatabase(port: number, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { default: pg } = await import('pg');
  const password = env.HYPERNODE_DB_PASSWORD ?? APP_DATABASE.developmentPassword;
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
    const db = await client.query('select 1 from pg_database where datname = $1', [APP_DATABASE.name]);
    if (db.rowCount === 0) {
      await client.query(`create database ${APP_DATABASE.name} owner ${APP_DATABASE.role}`);
      log(`postgres: created database ${APP_DATABASE.name}`);
    }
  } catch (error) {
    log(
      `postgres: could not make sure role and database "${APP_DATABASE.name}" exist as ${user} (${(error as Error).message}). Run as a superuser:\n` +
        `  psql -h localhost -p ${port} -U postgres -c "CREATE ROLE ${APP_DATABASE.role} LOGIN PASSWORD '${password}'" -c "CREATE DATABASE ${APP_DATABASE.name} OWNER ${APP_DATABASE.role}"`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
