import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { portFor, urlFor } from '@hypernode/ports';

/** A database made for one test run; `drop()` removes it. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Superuser connection to the registry's PostgreSQL (trust auth here; PGUSER/PGPASSWORD elsewhere);
 * `timeoutMs` bounds its connect and each query.
 */
export function adminClient(timeoutMs?: number): pg.Client {
  const bounds = timeoutMs === undefined ? {} : { connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs };
  return new pg.Client({ host: 'localhost', port: portFor('postgres', { env: {} }), user: process.env.PGUSER ?? 'postgres', password: process.env.PGPASSWORD, database: 'postgres', ...bounds });
}

/**
 * Creates an empty database named `hn_test_<random>` on the registry's PostgreSQL, so tests
 * never touch the `hypernode` database a developer's stack uses.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hn_test_${randomBytes(6).toString('hex')}`;
  const admin = adminClient();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const user = encodeURIComponent(process.env.PGUSER ?? 'postgres');
  const password = process.env.PGPASSWORD ? `:${encodeURIComponent(process.env.PGPASSWORD)}` : '';
  return {
    name,
    url: `postgresql://${user}${password}@localhost:${portFor('postgres', { env: {} })}/${name}`,
    drop: async () => {
      const client = adminClient();
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A Redis key prefix for one test run, and a cleanup that deletes every key under it. */
export function testRedisPrefix(): { prefix: string; url: string; cleanup(): Promise<void> } {
  const prefix = `hn-test-${randomBytes(6).toString('hex')}:`;
  const url = urlFor('redis', { env: {} });
  return {
    prefix,
    url,
    cleanup: async () => {
      const redis = new Redis(url, { lazyConnect: true });
      await redis.connect();
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** A TCP port the OS says is free right now, on both address families. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '::', port: 0, ipv6Only: false }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
export * from './workspace-copy.js';
