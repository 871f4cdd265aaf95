import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkService } from '@hypernode/health';
import { listServices, parseRegistry } from '@hypernode/ports';
import { ensureInfra } from '../src/stack/infra.js';
import type { StartedInfra } from '../src/stack/local-infra.js';
import { freePort } from './helpers.js';

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

    for (const s of started.splice(0).reverse()) await s.stop();
    for (const s of services.slice(0, 2)) expect((await checkService(s, { timeoutMs: 500 })).status, s.name).toBe('down');
  }, 120_000);
});
