import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkService } from '@hypernode/health';
import { listServices, parseRegistry } from '@hypernode/ports';
import { databaseSetupCommand, ensureDatabase } from '../src/stack/database.js';
import { ensureInfra } from '../src/stack/infra.js';
import type { StartedInfra } from '../src/stack/local-infra.js';
import { freePort, run } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'hypernode-infra-'));
chmodSync(root, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach the data folder
const started: StartedInfra[] = [];
afterAll(async () => {
  for (const s of started) await s.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe('infra step of npm start', () => {
  it('starts PostgreSQL and Redis from local binaries on their registry ports when nothing answers there, creates the app database, and stops them again', async () => {
    const [pgPort, redisPort] = [await freePort(), await freePort()];
    const registry = parseRegistry(
      JSON.stringify({
        services: [
          { name: 'postgres', port: pgPort, kind: 'infra', purpose: 'db', health: { type: 'postgres' }, required: true },
          { name: 'redis', port: redisPort, kind: 'infra', purpose: 'cache', health: { type: 'redis' }, required: true },
          { name: 'solana', port: await freePort(), kind: 'blockchain', purpose: 'optional', health: { type: 'solana' }, required: false },
        ],
      }),
      join(root, 'registry.json'),
    );
    const services = listServices({ registry, env: {} });
    const log: string[] = [];
    started.push(...(await ensureInfra(services, root, (line) => log.push(line))));

    expect(started.map((s) => s.name)).toEqual(['postgres', 'redis']);
    expect(log.join('\n')).toMatch(/postgres: not reachable .* starting it from local binaries, data in \.hypernode\//);
    expect(log.join('\n')).toContain('postgres: created database hypernode');
    expect(log.join('\n')).toMatch(/solana: not running .*optional, skipped/);
    for (const s of services.slice(0, 2)) expect((await checkService(s)).status, s.name).toBe('up');

    const { default: pg } = await import('pg');
    const client = new pg.Client({ host: 'localhost', port: pgPort, user: 'hypernode', password: 'password', database: 'hypernode' });
    await client.connect();
    expect((await client.query('select current_user as u')).rows[0].u).toBe('hypernode');
    await client.end();

    // The printed set-up command, run as printed, creates the role with the password from the shell.
    const admin = new pg.Client({ host: 'localhost', port: pgPort, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query('drop database hypernode');
    await admin.query('drop role hypernode');
    await admin.end();
    const secret = 'hint-test-8f3a';
    const setup = await run('bash', ['-c', databaseSetupCommand(pgPort)], { env: { HYPERNODE_DB_PASSWORD: secret } });
    expect(setup.code, setup.stderr).toBe(0);
    const asApp = new pg.Client({ host: 'localhost', port: pgPort, user: 'hypernode', password: secret, database: 'hypernode' });
    await asApp.connect();
    await asApp.end();

    // With an explicit DATABASE_URL (database null) the step creates nothing in that server.
    const again = new pg.Client({ host: 'localhost', port: pgPort, user: 'postgres', database: 'postgres' });
    await again.connect();
    await again.query('drop database hypernode');
    await again.query('drop role hypernode');
    const explicit: string[] = [];
    expect(await ensureInfra(services, root, (line) => explicit.push(line), null, null)).toEqual([]);
    expect(explicit.join('\n')).toContain('postgres: DATABASE_URL is set: its database is used as it is, no role or database is created');
    const made = await again.query("select (select count(*) from pg_roles where rolname = 'hypernode')::int as roles, (select count(*) from pg_database where datname = 'hypernode')::int as dbs");
    expect(made.rows[0]).toEqual({ roles: 0, dbs: 0 });
    await again.end();

    for (const s of started.splice(0).reverse()) await s.stop();
    for (const s of services.slice(0, 2)) expect((await checkService(s, { timeoutMs: 500 })).status, s.name).toBe('down');
  }, 120_000);
});

describe('database set-up hint', () => {
  it('never prints the password: the command reads it from HYPERNODE_DB_PASSWORD, and refuses to run without it', async () => {
    const secret = 'never-print-me-5d1c';
    const log: string[] = [];
    await ensureDatabase(await freePort(), (line) => log.push(line), { HYPERNODE_DB_PASSWORD: secret, PGUSER: 'postgres' });
    const text = log.join('\n');
    expect(text).toContain('psql -h localhost');
    expect(text).toContain('${HYPERNODE_DB_PASSWORD:?');
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/PASSWORD '[^']*'/);
    const unset = await run('bash', ['-c', databaseSetupCommand(await freePort())], { env: { HYPERNODE_DB_PASSWORD: '' } });
    expect(unset.code).not.toBe(0);
    expect(unset.stderr).toContain('set HYPERNODE_DB_PASSWORD');
  });
});
