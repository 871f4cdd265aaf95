import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isAppKind, listServices } from '@hypernode/ports';

const ROOT = resolve(__dirname, '../../..');

interface ComposeService {
  ports?: Array<string | { published: number | string; target: number; host_ip?: string }>;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { interval?: string; test?: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  profiles?: string[];
}

/** Values only this test uses, so finding one in the output proves where it came from. */
const SECRETS = { HYPERNODE_DB_PASSWORD: 'db-5e1f0a', HYPERNODE_REDIS_PASSWORD: 'redis-9c2b7d', HYPERNODE_JOIN_TOKEN: 'hnj_join-token-4a8e6c31' };

/** The compose file as Debian's docker-compose parses it (no engine needed for `config`). */
function composeConfig(env: Record<string, string> = SECRETS): Record<string, ComposeService> {
  const text = execFileSync('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'solana', 'config'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return (parse(text) as { services: Record<string, ComposeService> }).services;
}

const published = (s: ComposeService) => (s.ports ?? []).map((p) => (typeof p === 'string' ? p.replace(/\/tcp$/, '') : `${p.host_ip ? `${p.host_ip}:` : ''}${p.published}:${p.target}`));
const seconds = (interval: string | undefined) => Number(/^(\d+(?:\.\d+)?)s$/.exec(interval ?? '')?.[1] ?? NaN);

describe('docker-compose.yml (checked by a real compose parser)', () => {
  const services = composeConfig();
  const registry = listServices({ env: {} });
  const apps = registry.filter((s) => isAppKind(s.kind));

  it('has every registry service; apps on their registry port, Solana on loopback only, PostgreSQL and Redis not published at all', () => {
    expect(Object.keys(services).sort()).toEqual(registry.map((s) => s.name).sort());
    for (const s of apps) expect(published(services[s.name]!), s.name).toEqual([`${s.port}:${s.port}`]);
    const solana = registry.find((s) => s.name === 'solana')!;
    expect(published(services.solana!)).toEqual([`127.0.0.1:${solana.port}:${solana.port}`]);
    expect(services.postgres!.ports).toBeUndefined();
    expect(services.redis!.ports).toBeUndefined();
  });

  it('checks health every 2 s or faster, and starts apps only once infra is healthy', () => {
    for (const [name, s] of Object.entries(services)) expect(seconds(s.healthcheck?.interval), name).toBeLessThanOrEqual(2);
    for (const app of apps) {
      expect(services[app.name]!.depends_on, app.name).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
  });

  it('keeps the Solana validator behind an optional profile', () => {
    expect(services.solana!.profiles).toEqual(['solana']);
  });

  it.each(Object.keys(SECRETS))('refuses to start without %s (no default), naming it', (name) => {
    for (const value of [undefined, '']) {
      const env: Record<string, string | undefined> = { ...process.env, ...SECRETS, [name]: value };
      if (value === undefined) delete env[name];
      const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8', env: env as NodeJS.ProcessEnv });
      expect(result.status, `${name}=${JSON.stringify(value)}`).not.toBe(0);
      expect(result.stderr).toContain(`set ${name}`);
    }
  });

  it('takes every password from the environment: PostgreSQL, Redis --requirepass and its healthcheck, each backend URL', () => {
    const pg = registry.find((s) => s.name === 'postgres')!;
    const redis = registry.find((s) => s.name === 'redis')!;
    expect(services.postgres!.environment!.POSTGRES_PASSWORD).toBe(SECRETS.HYPERNODE_DB_PASSWORD);
    const redisCommand = services.redis!.command!;
    expect(redisCommand[redisCommand.indexOf('--requirepass') + 1]).toBe(SECRETS.HYPERNODE_REDIS_PASSWORD);
    expect(services.redis!.environment!.REDISCLI_AUTH).toBe(SECRETS.HYPERNODE_REDIS_PASSWORD);
    // redis-cli exits 0 on NOAUTH: the check must look for PONG, with the password from REDISCLI_AUTH.
    expect(services.redis!.healthcheck!.test!.join(' ')).toMatch(/redis-cli .*ping.*PONG/);
    for (const app of apps) {
      const env = services[app.name]!.environment!;
      if (app.kind === 'frontend') {
        expect(Object.keys(env), app.name).not.toContain('DATABASE_URL');
        continue;
      }
      expect(env.DATABASE_URL, app.name).toBe(`postgresql://hypernode:${SECRETS.HYPERNODE_DB_PASSWORD}@postgres:${pg.port}/hypernode`);
      expect(env.REDIS_URL, app.name).toBe(`redis://:${SECRETS.HYPERNODE_REDIS_PASSWORD}@redis:${redis.port}`);
      expect(env.HYPERNODE_WORKER_TOKEN, app.name).toBeUndefined();
      // Only workers hold the join token; the api and the engine reach workers only on the workers' compose host names.
      if (app.kind === 'worker') expect(env.HYPERNODE_JOIN_TOKEN, app.name).toBe(SECRETS.HYPERNODE_JOIN_TOKEN);
      else {
        expect(env.HYPERNODE_JOIN_TOKEN, app.name).toBeUndefined();
        expect(env.HYPERNODE_WORKER_HOSTS?.split(','), app.name).toEqual(apps.filter((a) => a.kind === 'worker').map((a) => a.name));
      }
    }
  });

  it('holds no password of its own: every secret reference is ${VAR:?…}, never a default', () => {
    const raw = readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8');
    const refs = [...raw.matchAll(/\$\{([A-Z_]+)(:?[-?+])?/g)].filter((m) => /PASSWORD|TOKEN|SECRET/.test(m[1]!));
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const m of refs) expect(m[0], m[1]).toBe(`\${${m[1]}:?`);
    expect(raw).not.toMatch(/PASSWORD: (?!\$\{)/);
  });
});
