import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listServices } from '@hypernode/ports';

const ROOT = resolve(__dirname, '../../..');

interface ComposeService {
  ports?: Array<string | { published: number | string; target: number }>;
  healthcheck?: { interval?: string };
  depends_on?: Record<string, { condition: string }> | string[];
  profiles?: string[];
}

/** The compose file as Debian's docker-compose parses it (no engine needed for `config`). */
function composeConfig(): Record<string, ComposeService> {
  const text = execFileSync('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'solana', 'config'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HYPERNODE_DB_PASSWORD: 'secret' } });
  return (parse(text) as { services: Record<string, ComposeService> }).services;
}

const published = (s: ComposeService) => (s.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}`));
const seconds = (interval: string | undefined) => Number(/^(\d+(?:\.\d+)?)s$/.exec(interval ?? '')?.[1] ?? NaN);

describe('docker-compose.yml (checked by a real compose parser)', () => {
  const services = composeConfig();
  const registry = listServices({ env: {} });

  it('has every registry service, on its registry port', () => {
    expect(Object.keys(services).sort()).toEqual(registry.map((s) => s.name).sort());
    for (const s of registry) expect(published(services[s.name]!), s.name).toEqual([`${s.port}:${s.port}`]);
  });

  it('checks health every 2 s or faster, and starts apps only once infra is healthy', () => {
    for (const [name, s] of Object.entries(services)) expect(seconds(s.healthcheck?.interval), name).toBeLessThanOrEqual(2);
    for (const app of registry.filter((s) => !['infra', 'blockchain'].includes(s.kind))) {
      expect(services[app.name]!.depends_on, app.name).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
  });

  it('keeps the Solana validator behind an optional profile and takes the DB password from the environment', () => {
    expect(services.solana!.profiles).toEqual(['solana']);
    const text = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HYPERNODE_DB_PASSWORD: 'secret' } });
    expect(text).toContain('POSTGRES_PASSWORD: secret');
  });
});
