import pino from 'pino';
import { ensureJoinToken, migrate } from '@hypernode/store';
import { closeInOrder, createPgPool, createRedis, listenOrClose, type Closable, type ListenTarget } from '@hypernode/service-kit';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { startRelay } from './relay.js';

/** How long and how often an operator's join token (HYPERNODE_JOIN_TOKEN) serves once stored. */
const OPERATOR_JOIN_TOKEN = { uses: 10_000, ttlS: 365 * 86_400 };

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
  const log = (line: string) => console.error(`api: ${line}`);
  const pool = createPgPool(config.databaseUrl, { log });
  if (config.joinToken) {
    const seeded = await ensureJoinToken(pool, config.joinToken, OPERATOR_JOIN_TOKEN).catch(async (error: Error) => {
      await pool.end().catch(() => undefined);
      throw Object.assign(new Error(`api cannot store HYPERNODE_JOIN_TOKEN in PostgreSQL at ${where}: ${error.message}`), { code: 'E_API_DATABASE' });
    });
    if (seeded === 'added') console.log(`api: workers may register with HYPERNODE_JOIN_TOKEN (${OPERATOR_JOIN_TOKEN.uses} uses, ${OPERATOR_JOIN_TOKEN.ttlS / 86_400} days; an admin can revoke it)`);
  }
  // Every request counts its rate limit on this connection: concurrent requests share a write.
  const redis = createRedis(config.redisUrl, { log, autoPipelining: true });
  // Asynchronous log writes (buffered, flushed at exit): a request never waits on stdout.
  const app = buildApp({ config, pool, redis: redis.redis, logger: { level: 'info', stream: pino.destination({ sync: false }) } });
  const relay = startRelay({ pool, redis: redis.redis, prefix: config.redisPrefix, onError: (error) => app.log.warn({ err: error }, 'outbox relay pass failed; retrying'), onReseed: (info) => app.log.warn(info, 'event stream re-seeded from PostgreSQL (new epoch)') });
  // In-flight requests finish (each bounded by the pool's and Redis' timeouts) or, once closing,
  // new ones get Fastify's 503; then every dependency is let go, each step bounded.
  const close = async () => {
    await closeInOrder(
      [
        { name: 'http server', run: () => app.close(), timeoutMs: 4000 },
        { name: 'outbox relay', run: () => relay.stop(), timeoutMs: 1500 },
        { name: 'redis', run: () => redis.close(), timeoutMs: 500 },
        { name: 'postgres pool', run: () => pool.end(), timeoutMs: 1500 },
      ],
      log,
    );
  };
  return listenOrClose(app, target, close);
}
