import pg from 'pg';
import { Redis } from 'ioredis';
import { migrate } from '@hypernode/store';
import { listenOrClose, type Closable, type ListenTarget } from '@hypernode/service-kit';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { startRelay } from './relay.js';

/** Migrates, builds and listens: what main.ts runs once the port is known to be free. */
export async function startApi(target: ListenTarget): Promise<Closable> {
  const config = loadConfig();
  const where = config.databaseUrl.replace(/:[^:@/]*@/, ':***@');
  try {
    const applied = await migrate(config.databaseUrl);
    if (applied.length > 0) console.log(`api: applied migrations ${applied.join(', ')}`);
  } catch (error) {
    throw Object.assign(new Error(`api cannot migrate PostgreSQL at ${where}: ${(error as Error).message}. Is it running (\`npx hypernode health\`)? \`npm start\` creates the hypernode role and database; or set DATABASE_URL.`), { code: 'E_API_DATABASE' });
  }
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (error) => console.error(`api: idle PostgreSQL connection lost (${error.message})`));
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined); // /ready reports it; ioredis reconnects on its own
  const app = buildApp({ config, pool, redis, logger: { level: 'info' } });
  const relay = startRelay({ pool, redis, prefix: config.redisPrefix, onError: (error) => app.log.warn({ err: error }, 'outbox relay pass failed; retrying') });
  const close = async () => {
    await app.close();
    await relay.stop();
    await pool.end();
    redis.disconnect();
  };
  return listenOrClose(app, target, close);
}
