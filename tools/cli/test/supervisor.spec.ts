import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogPage, SupervisedService, SupervisorServices } from '@hypernode/events';
import { findListeners, pidsWithEnv, stopProcess } from '@hypernode/port-inspect';
import { isShiftedKind, listServices } from '@hypernode/ports';
import { copyWorkspace } from '@hypernode/testing';
import { dropInstanceData } from '../src/stack/instance-data.js';
import { ROOT } from './helpers.js';

/** One of this helper's slots (40-49) whose app and supervisor ports are all free. */
function freeInstance(): number {
  for (let n = 43; n <= 49; n++) {
    const ports = listServices({ instance: n, env: {} }).filter((s) => isShiftedKind(s.kind)).map((s) => s.port);
    if (findListeners(ports).size === 0) return n;
  }
  throw new Error('no free instance between 43 and 49');
}

async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>, output: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${output().slice(-6000)}`);
    await sleep(100);
  }
}

const copy = mkdtempSync(join(tmpdir(), 'hypernode-sup-'));
const instance = freeInstance();
const marker = String(instance);
const leftovers: number[] = [];
afterAll(async () => {
  await Promise.all([...leftovers, ...pidsWithEnv('HYPERNODE_INSTANCE', marker)].map((pid) => stopProcess(pid, 1000).catch(() => undefined)));
  await dropInstanceData(instance).catch(() => undefined);
  rmSync(copy, { recursive: true, force: true });
}, 60_000);

describe('hypernode up supervises the stack (a copy of the workspace, real processes)', () => {
  it('all apps ready in /services; kill -9 of realtime shows crashed within 2 s; restart brings it back with both runs in its logs; Ctrl-C frees every port', async () => {
    copyWorkspace(ROOT, copy);
    const services = listServices({ instance, env: {} });
    const apps = services.filter((s) => s.kind !== 'tool' && isShiftedKind(s.kind));
    const supervisor = services.find((s) => s.name === 'supervisor')!;
    const ports = [...apps.map((a) => a.port), supervisor.port];
    const up = spawn(process.execPath, [join(copy, 'tools/cli/bin/hypernode.js'), 'up'], { cwd: copy, env: { ...process.env, HYPERNODE_INSTANCE: marker, HYPERNODE_STACK: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    leftovers.push(up.pid!);
    let output = '';
    up.stdout.on('data', (d: Buffer) => (output += d.toString()));
    up.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => up.on('close', (code) => r(code)));
    const out = () => output;

    const base = `http://localhost:${supervisor.port}`;
    const keyFile = join(copy, '.hypernode', 'admin-key');
    await until('the admin key', 240_000, async () => (existsSync(keyFile) ? true : undefined), out);
    const auth = { authorization: `Bearer ${readFileSync(keyFile, 'utf8').trim()}` };
    const list = async () => ((await (await fetch(`${base}/services`, { headers: auth, signal: AbortSignal.timeout(3_000) })).json()) as SupervisorServices).services;
    const realtimeOf = async () => (await list()).find((s) => s.name === 'realtime')!;

    const started = Date.now();
    const all = await until('every app ready in /services', 300_000, async () => {
      const s = await list();
      return s.length === apps.length && s.every((x) => x.state === 'ready') ? s : undefined;
    }, out);
    console.log(`all ${all.length} apps ready ${Math.round((Date.now() - started) / 1000)} s after the admin key appeared`);
    expect(all.map((s) => s.name).sort()).toEqual(apps.map((a) => a.name).sort());
    expect(output).toContain(`supervisor: ${base}`);

    // kill -9 the realtime app's whole process group (nx, its executor, the app).
    const before = await realtimeOf();
    process.kill(-before.pid!, 'SIGKILL');
    const killedAt = Date.now();
    const crashed: SupervisedService = await until('realtime crashed', 2_000, async () => {
      const r = await realtimeOf();
      return r.state === 'crashed' ? r : undefined;
    }, out);
    console.log(`crash shown ${Date.now() - killedAt} ms after kill -9`);
    expect(crashed).toMatchObject({ exitSignal: 'SIGKILL', pid: null, restarts: 0 });

    const restart = await fetch(`${base}/services/realtime/restart`, { method: 'POST', headers: auth, signal: AbortSignal.timeout(30_000) });
    expect(restart.status).toBe(202);
    expect(await restart.json()).toMatchObject({ name: 'realtime', state: 'starting', restarts: 1 });
    await until('realtime ready again', 180_000, async () => ((await realtimeOf()).state === 'ready' ? true : undefined), out);
    const page = (await (await fetch(`${base}/logs?services=realtime&limit=5000`, { headers: auth })).json()) as LogPage;
    expect(new Set(page.lines.map((l) => l.run))).toEqual(new Set([0, 1]));
    expect(page.lines.filter((l) => /realtime ready on/.test(l.message)).map((l) => l.run)).toEqual([0, 1]);

    leftovers.push(...pidsWithEnv('HYPERNODE_INSTANCE', marker));
    process.kill(-up.pid!, 'SIGINT');
    await Promise.race([exited, sleep(60_000)]);
    const gone = await until('no process of the stack left', 30_000, async () => (pidsWithEnv('HYPERNODE_INSTANCE', marker).length === 0 ? true : undefined), out).catch(() => false);
    expect(gone, `still running: ${pidsWithEnv('HYPERNODE_INSTANCE', marker).join(', ')}`).toBe(true);
    expect([...findListeners(ports).keys()]).toEqual([]);
    expect(output).toContain('are free');
  }, 600_000);
});
