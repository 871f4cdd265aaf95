import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLeases } from '@hypernode/instances';
import { CLI, freePort, hypernode, ROOT, tempRegistry } from './helpers.js';

describe('hypernode ports / env / health', () => {
  it('ports --json shows the staging map with its source', async () => {
    const result = await hypernode(['ports', '--json', '--profile', 'staging', '--instance', '1']);
    const map = JSON.parse(result.stdout) as { profile: string; instance: number; services: Array<{ name: string; port: number; registryPort: number; source: string }> };
    expect(map).toMatchObject({ profile: 'staging', instance: 1 });
    const api = map.services.find((s) => s.name === 'api')!;
    expect(api.port).toBe(api.registryPort + 1000 + 100);
    expect(api.source).toBe('profile');
    const redis = map.services.find((s) => s.name === 'redis')!;
    expect(redis.port).toBe(redis.registryPort);
  });

  it('up --only refuses a name that is not an app, naming it and the valid ones, before taking a slot or starting anything', async () => {
    for (const [only, named] of [['api,nope', '"nope" is not an app'], ['postgres', '"postgres" is not an app'], [',', 'it names no app']] as const) {
      const result = await hypernode(['up', '--only', only, '--instance', '97']);
      expect(result.code, only).toBe(1);
      expect(result.stderr).toContain(`--only ${JSON.stringify(only)} is not valid: ${named}`);
      expect(result.stderr).toContain('site, llm-deployer, api, realtime, automation, gpu-worker (e.g. --only api,realtime)');
      expect(result.stdout).not.toContain('running the infra task');
    }
  });

  it('up stopped by SIGTERM the moment its slot is leased exits 0 and releases the lease (no stale lease left)', { timeout: 90_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'hn-up-early-stop-'));
    try {
      const child = spawn(process.execPath, [CLI, 'up', '--only', 'api', '--instance', '96'], { cwd: ROOT, env: { ...process.env, HYPERNODE_HOME: home, NX_DAEMON: 'false', NX_TUI: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // The lease is written just before this line; the stack's own signal handlers come later.
        if (out.includes('leased for pid') && child.signalCode === null) child.kill('SIGTERM');
      });
      const code = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still running 60 s after SIGTERM'), 60_000))]);
      if (typeof code === 'string') child.kill('SIGKILL');
      expect(code, out).toBe(0);
      expect(out).toContain('instance 96 (pinned by --instance): leased for pid');
      expect(listLeases(join(home, 'instances.json')).filter((l) => l.slot === 96), out).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('env prints the PORT and peer URLs a service gets, honouring overrides', async () => {
    const result = await hypernode(['env', 'site', '--instance', '2'], { API_PORT: '4555' });
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain('HYPERNODE_SERVICE=site');
    expect(lines).toContain('HYPERNODE_INSTANCE=2');
    expect(lines).toContain('API_URL=http://localhost:4555');
    expect(lines).toContain('VITE_BACKEND_API_URL=http://localhost:4555');
    expect(lines.find((l) => l.startsWith('PORT='))).toMatch(/^PORT=3\d{3}$/);
    const unknown = await hypernode(['env', 'billing']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown service "billing"');
  });

  it('health exits 1 naming a required service that is down, and 0 when only optional ones are', async () => {
    const down = await freePort();
    const required = tempRegistry([{ name: 'cache', port: down, kind: 'infra', purpose: 'x', health: { type: 'redis' }, required: true }]);
    const optional = tempRegistry([{ name: 'chain', port: down, kind: 'blockchain', purpose: 'x', health: { type: 'solana' }, required: false }]);
    try {
      const bad = await hypernode(['health', '--json', '--registry', required.file]);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({ healthy: false, services: [{ name: 'cache', status: 'down', detail: 'connection refused (nothing listening)' }] });
      const waited = await hypernode(['health', '--wait', '--timeout', '1', '--registry', required.file]);
      expect(waited.code).toBe(1);
      expect(waited.stderr).toContain(`required service down: cache (:${down}) after 1 s`);
      const fine = await hypernode(['health', '--registry', optional.file]);
      expect(fine.code).toBe(0);
      expect(fine.stdout).toContain('down (optional)');
      expect((await hypernode(['health', '--timeout', 'soon'])).stderr).toContain('--timeout "soon" is not valid');
    } finally {
      required.cleanup();
      optional.cleanup();
    }
  });
});
