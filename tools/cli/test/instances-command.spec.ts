import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pg from 'pg';
import { writeLeases } from '@hypernode/instances';
import { listServices, portFor, urlFor } from '@hypernode/ports';
import { hypernode, ROOT } from './helpers.js';

// High slots nobody runs: 96 is "live" (held by this test process), 97 is stale (a dead pid) with data to drop.
// Slots no other spec pins (nginx 96, generate-real 97, serve-exit 70-75, stack 40-89 as free): specs run in parallel.
const LIVE = 92;
const STALE = 93;
const home = mkdtempSync(join(tmpdir(), 'hn-instances-cmd-'));
const env = { HYPERNODE_HOME: home, HYPERNODE_INSTANCE: '' };
const admin = () => new pg.Client({ host: 'localhost', port: portFor('postgres', { env: {} }), user: 'postgres', database: 'postgres', connectionTimeoutMillis: 3000 });

afterAll(async () => {
  const client = admin();
  await client.connect();
  await client.query(`drop database if exists hypernode_${STALE} with (force)`);
  await client.end();
  rmSync(home, { recursive: true, force: true });
});

describe('hypernode instances', () => {
  it('lists live instances (--json: slot, path, pid, ports), and prune --drop-data releases the stale one and drops its database and Redis keys', async () => {
    const gone = spawn(process.execPath, ['-e', '0']);
    await once(gone, 'exit');
    const started = new Date().toISOString();
    writeLeases(join(home, 'instances.json'), {
      leases: [
        { slot: LIVE, path: '/w/live', pid: process.pid, started },
        { slot: STALE, path: '/w/stale', pid: gone.pid!, started },
      ],
      lastSlot: {},
    });
    const client = admin();
    await client.connect();
    await client.query(`drop database if exists hypernode_${STALE} with (force)`); // a crashed earlier run's
    await client.query(`create database hypernode_${STALE}`);
    await client.end();
    const redis = new Redis(urlFor('redis', { env: {} }));
    await redis.set(`hypernode_${STALE}:probe`, '1');
    await redis.set(`hypernode_${LIVE}:probe`, '1');

    const listed = JSON.parse((await hypernode(['instances', '--json'], env)).stdout) as unknown[];
    const apiPort = listServices({ instance: LIVE, env: {} }).find((s) => s.name === 'api')!.port;
    expect(listed).toEqual([expect.objectContaining({ slot: LIVE, path: '/w/live', pid: process.pid, ports: expect.objectContaining({ api: apiPort }) })]);
    expect((await hypernode(['instances'], env)).stdout).toMatch(new RegExp(`${LIVE}\\s.*/w/live`));

    const unconfirmed = await hypernode(['instances', 'prune', '--drop-data'], env);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain(`database hypernode_${STALE}, Redis keys hypernode_${STALE}:*`);
    expect(unconfirmed.stderr).toContain('add --yes');

    const pruned = await hypernode(['instances', 'prune', '--drop-data', '--yes'], env);
    expect(pruned.stdout).toContain(`released stale instance ${STALE} (/w/stale`);
    expect(pruned.stdout).toContain(`instance ${STALE}: dropped database hypernode_${STALE}, removed 1 Redis key(s) under hypernode_${STALE}:`);
    const check = admin();
    await check.connect();
    expect((await check.query('select 1 from pg_database where datname = $1', [`hypernode_${STALE}`])).rowCount).toBe(0);
    await check.end();
    expect(await redis.exists(`hypernode_${STALE}:probe`, `hypernode_${LIVE}:probe`)).toBe(1); // the live instance's key stays
    await redis.del(`hypernode_${LIVE}:probe`);
    redis.disconnect();
    expect((await hypernode(['instances', 'prune'], env)).stdout).toContain('nothing to prune');
  });

  it('commands run in a checkout follow the instance it runs as (no --instance, no HYPERNODE_INSTANCE); explicit ones win', async () => {
    writeLeases(join(home, 'instances.json'), { leases: [{ slot: LIVE, path: ROOT, pid: process.pid, started: new Date().toISOString() }], lastSlot: {} });
    const port = (instance: number) => listServices({ instance, env: {} }).find((s) => s.name === 'api')!.port;
    const apiPort = async (args: string[], extra: NodeJS.ProcessEnv = {}) =>
      (JSON.parse((await hypernode(['ports', '--json', ...args], { ...env, ...extra })).stdout) as { services: { name: string; port: number }[] }).services.find((s) => s.name === 'api')!.port;
    expect(await apiPort([])).toBe(port(LIVE));
    expect(await apiPort(['--instance', '2'])).toBe(port(2));
    expect(await apiPort([], { HYPERNODE_INSTANCE: '3' })).toBe(port(3));
    expect((await hypernode(['env', 'site'], env)).stdout).toContain(`HYPERNODE_INSTANCE=${LIVE}`);
  });
});
