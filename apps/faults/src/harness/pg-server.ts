import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '@hypernode/testing';
import { onExit } from './cleanup.js';
import { FaultsHarnessError, waitFor } from './wait.js';

const run = promisify(execFile);
const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

/** A throw-away PostgreSQL cluster on a spare port. */
export interface PgServer {
  port: number;
  /** Database the services use. */
  database: string;
  /** URL straight to the server (not through a proxy), as the superuser. */
  url(port?: number): string;
  /** fast: clients are told; immediate: a crash (no shutdown checkpoint). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its folder; idempotent. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const dir = BIN_DIRS.find((d) => existsSync(join(d, 'pg_ctl')));
  if (!dir) throw new FaultsHarnessError(`no PostgreSQL binaries in ${BIN_DIRS.join(', ')}: install them with \`apt-get install postgresql\``);
  return dir;
}

// PostgreSQL refuses to run as root: as root, run its binaries as the "postgres" user.
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function exec(command: string, args: string[], what: string): Promise<void> {
  try {
    await run(...asPostgres(command, args), { timeout: 60_000 });
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new FaultsHarnessError(`${what} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** initdb into a temp folder (trust auth, fsync off), start on a spare port, create the database. */
export async function startPgServer(database = 'faults'): Promise<PgServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'hn-faults-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], 'initdb');
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const url = (p = port) => `postgresql://postgres@127.0.0.1:${p}/${database}`;
  let running = false;
  let destroyed = false;
  const forget = onExit(() => {
    spawnSync(...asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop']));
    rmSync(dir, { recursive: true, force: true });
  });
  const server: PgServer = {
    port,
    database,
    url,
    start: async () => {
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start'], `starting PostgreSQL (log ${dir}/postgres.log)`);
      running = true;
    },
    stop: async (mode = 'fast') => {
      if (!running) return;
      running = false;
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '30', 'stop'], 'stopping PostgreSQL');
    },
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      forget();
      await server.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
    const admin = new pg.Client({ connectionString: url(port).replace(`/${database}`, '/postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
  } catch (error) {
    await server.destroy();
    throw error;
  }
  return server;
}

/** Runs one query straight on the server (bypassing any proxy), bounded by a 5 s timeout. */
export async function queryDirect<T extends pg.QueryResultRow>(server: PgServer, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.url(), connectionTimeoutMillis: 5000, query_timeout: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** True once the server accepts a query. */
export const pgUp = (server: PgServer, ms = 15_000) => waitFor('PostgreSQL to answer', () => queryDirect(server, 'SELECT 1').then(() => true), ms);
