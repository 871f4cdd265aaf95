import { instanceDatabaseName, instanceRedisPrefix, portFor, urlFor } from '@hypernode/ports';

/** What dropping one instance's data removed. */
export interface DroppedData {
  database: string;
  databaseDropped: boolean;
  redisPrefix: string;
  redisKeys: number;
}

/**
 * Drops an instance's data: its PostgreSQL database (connections closed first, `WITH (FORCE)`)
 * as a superuser (PGUSER, default postgres), and every Redis key under its prefix (SCAN +
 * UNLINK, never KEYS). Every wait is bounded by the clients' timeouts.
 */
export async function dropInstanceData(slot: number, env: NodeJS.ProcessEnv = process.env): Promise<DroppedData> {
  const [{ default: pg }, { Redis }] = await Promise.all([import('pg'), import('ioredis')]);
  const database = instanceDatabaseName(slot);
  const redisPrefix = instanceRedisPrefix(slot);
  const client = new pg.Client({ host: 'localhost', port: portFor('postgres', { env }), user: env.PGUSER ?? 'postgres', database: 'postgres', password: env.PGPASSWORD, connectionTimeoutMillis: 3_000, query_timeout: 30_000 });
  client.on('error', () => undefined);
  let databaseDropped = false;
  try {
    await client.connect();
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount) {
      await client.query(`drop database ${client.escapeIdentifier(database)} with (force)`);
      databaseDropped = true;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(env.REDIS_URL ?? urlFor('redis', { env }), { lazyConnect: true, connectTimeout: 3_000, commandTimeout: 10_000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  let redisKeys = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) redisKeys += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return { database, databaseDropped, redisPrefix, redisKeys };
}
