import { serviceMain } from '@hypernode/service-kit';

await serviceMain('api', async ({ port, host }) => {
  const [{ default: pg }, { Redis }, { loadConfig }, { migrate }, { buildApp }, { startRelay }] = await Promise.all([
    import('pg'),
    import('ioredis'),
    import('./config.js'),
    import('@hypernode/store'),
    import('./app.js'),
    import('./relay.js'),
  ]);
  const config = loadConfig();
  const where = config.databaseUrl.replace(/:[^:@/]*@/, ':***@');
  try {
    const applied = await migrate(config.databaseUrl);
    if (applied.length > 0) console.log(`api: applied migrations ${applied.join(', ')}`);
  } catch (error) {
    throw Object.assign(new Error(`api cannot migrate PostgreSQL at ${where}: ${(error as Error).message}. Is it running (\`npx hypernode health\`)? \`npm start\` creates the hypernode role and database; or set DATABASE_URL.`), { code: 'E_API_DATABASE' });
  }
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined); // /ready reports it; ioredis reconnects on its own
  const app = buildApp({ config, pool, redis, logger: { level: 'info' } });
  const relay = startRelay({ pool, redis, prefix: config.redisPrefix, onError: (error) => app.log.warn({ err: error }, 'outbox relay pass failed; retrying') });
  try {
    await app.listen({ port, host });
  } catch (error) {
    await relay.stop();
    await pool.end();
    redis.disconnect();
    throw error;
  }
  return {
    close: async () => {
      await app.close();
      await relay.stop();
      await pool.end();
      redis.disconnect();
    },
  };
});
