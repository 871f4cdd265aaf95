import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogPage, SupervisedService, SupervisorServices, TraceList } from '@hypernode/events';
import { findListeners, pidsWithEnv, stopProcess } from '@hypernode/port-inspect';
import { isShiftedKind, listServices } from '@hypernode/ports';
import { copyWorkspace } from '@hypernode/testing';
import { dropInstanceData } from '../src/stack/instance-data.js';
import { hypernode, ROOT } from './helpers.js';

/** One of this helper's slots (40-49) whose app and supervisor ports are all free. */
function freeInstance(): number {
  for (let n = 43; n <= 49; n++) {
    const ports = listServices({ instance: n, env: {} }).filter((s) => isShiftedKind(s.kind)).map((s) => s.port);
    if (findListeners(ports).size === 0) return n;
  }
  throw new Error('no free instance between 43 and 49');
}

/** Thrown by a check to end the wait at once (any other error of a check means "not yet"). */
class CrashedAtStart extends Error {}

async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>, output: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check().catch((error: unknown) => {
      if (error instanceof CrashedAtStart) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${output().slice(-6000)}`);
    await sleep(100);
  }
}

const copy = mkdtempSync(join(tmpdir(), 'hypernode-sup-'));
const brokenCopy = mkdtempSync(join(tmpdir(), 'hypernode-sup-broken-'));
const instance = freeInstance();
const marker = String(instance);
const leftovers: number[] = [];
afterAll(async () => {
  await Promise.all([...leftovers, ...pidsWithEnv('HYPERNODE_INSTANCE', marker)].map((pid) => stopProcess(pid, 1000).catch(() => undefined)));
  await dropInstanceData(instance).catch(() => undefined);
  rmSync(copy, { recursive: true, force: true });
  rmSync(brokenCopy, { recursive: true, force: true });
}, 60_000);

describe('hypernode up supervises the stack (a copy of the workspace, real processes)', () => {
  it('npm start: all apps ready in /services; kill -9 of realtime shows crashed within 2 s; restart brings it back with both runs in its logs; Ctrl-C (SIGINT to the foreground process group) leaves no process and frees every port', async () => {
    copyWorkspace(ROOT, copy);
    const services = listServices({ instance, env: {} });
    const apps = services.filter((s) => s.kind !== 'tool' && isShiftedKind(s.kind));
    const supervisor = services.find((s) => s.name === 'supervisor')!;
    const ports = [...apps.map((a) => a.port), supervisor.port];
    // `npm start` (= `hypernode up`) as a user runs it; Ctrl-C at the end goes to its whole process group, as a terminal sends it.
    const up = spawn('npm', ['start'], { cwd: copy, env: { ...process.env, HYPERNODE_INSTANCE: marker, HYPERNODE_STACK: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    let states = 'no answer from /services yet';
    const all = await until('every app ready in /services', 300_000, async () => {
      const s = await list();
      states = s.map((x) => `${x.name}: ${x.state} (${x.detail})`).join('\n');
      // Nothing restarts a crashed app by itself: say so now, with what it printed, instead of waiting out the bound.
      if (s.some((x) => x.state === 'crashed')) throw new CrashedAtStart(`an app crashed while the stack started:\n${states}\n${output.slice(-6000)}`);
      return s.length === apps.length && s.every((x) => x.state === 'ready') ? s : undefined;
    }, () => `last /services:\n${states}\n${out()}`);
    console.log(`all ${all.length} apps ready ${Math.round((Date.now() - started) / 1000)} s after the admin key appeared`);
    expect(all.map((s) => s.name).sort()).toEqual(apps.map((a) => a.name).sort());
    // Printed with the sign-in links once every app answers its health check (a frontend's first page compile can come after "ready").
    await until('the supervisor line', 120_000, async () => (output.includes(`supervisor: ${base}`) ? true : undefined), out);

    // The whole stack: all six apps and both infra services healthy by `hypernode health`.
    const health = await hypernode(['health', '--json', '--instance', marker]);
    const report = JSON.parse(health.stdout) as { healthy: boolean; services: Array<{ name: string; status: string }> };
    expect(report.healthy, `${health.stdout}\n${output}`).toBe(true);
    const statusOf = Object.fromEntries(report.services.map((s) => [s.name, s.status]));
    for (const name of ['site', 'llm-deployer', 'api', 'realtime', 'automation', 'gpu-worker', 'postgres', 'redis']) expect(statusOf[name], name).toBe('up');
    // Development binds loopback only: every app port is held on 127.0.0.1 / ::1, never a wildcard.
    for (const [port, holders] of findListeners(apps.map((a) => a.port))) {
      for (const h of holders) expect(['127.0.0.1', '::1'], `port ${port} bound on ${h.address}`).toContain(h.address);
    }
    // A one-time sign-in URL per frontend, and a working admin key in .hypernode/ (mode 0600) that is never printed.
    for (const name of ['site', 'llm-deployer']) {
      const port = apps.find((a) => a.name === name)!.port;
      await until(`${name}'s sign-in URL`, 60_000, async () => (new RegExp(`http://localhost:${port}/#sign-in=hnt_`).test(output) ? true : undefined), out);
    }
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const apiUrl = `http://localhost:${apps.find((a) => a.name === 'api')!.port}`;
    const me = await fetch(`${apiUrl}/auth/me`, { headers: auth, signal: AbortSignal.timeout(10_000) });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { principal: { scopes: string[] } }).principal.scopes).toContain('admin');
    expect((await fetch(`${apiUrl}/deployments`, { signal: AbortSignal.timeout(10_000) })).status).toBe(401);
    expect(output).not.toMatch(/hn_[A-Za-z0-9_-]{43}/);
    expect(pidsWithEnv('HYPERNODE_INSTANCE', marker).length).toBeGreaterThanOrEqual(8); // npm, the CLI, nx and the six apps at least

    // Traces: the services export to the supervisor with the run's ingest token; a deployment's
    // trace shows up by its id with the api's and the engine's spans. Nobody else may write.
    const api = apps.find((a) => a.name === 'api')!;
    const created = await fetch(`http://localhost:${api.port}/deployments`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'trace-check', minVramGb: 1 }), signal: AbortSignal.timeout(10_000) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const traced = await until("the deployment's trace with api and automation spans", 60_000, async () => {
      const { traces } = (await (await fetch(`${base}/traces?deploymentId=${id}`, { headers: auth })).json()) as TraceList;
      return traces.length === 1 && ['api', 'automation'].every((s) => traces[0]!.services.includes(s)) ? traces[0] : undefined;
    }, out);
    expect(traced.rootName).toMatch(/POST/);
    expect((await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' })).status).toBe(401);

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

  it('stops the frontends it started early and nothing else starts when the infra task fails', async () => {
    // A stack the test above left running (it failed midway) holds the instance: stopped first, so this test stands on its own.
    await Promise.all(pidsWithEnv('HYPERNODE_INSTANCE', marker).map((pid) => stopProcess(pid, 15_000).catch(() => undefined)));
    copyWorkspace(ROOT, brokenCopy);
    // The copy's infra task fails on purpose: the frontends start meanwhile (they need no database), the rest must not.
    const project = join(brokenCopy, 'tools/cli/project.json');
    const config = JSON.parse(readFileSync(project, 'utf8')) as { targets: { infra: { command: string } } };
    config.targets.infra.command = `node -e "console.error('infra broken on purpose'); setTimeout(() => process.exit(3), 3000)"`;
    writeFileSync(project, JSON.stringify(config, null, 2));
    const apps = listServices({ instance, env: {} }).filter((s) => s.kind !== 'tool' && isShiftedKind(s.kind));
    const up = spawn(process.execPath, [join(brokenCopy, 'tools/cli/bin/hypernode.js'), 'up'], { cwd: brokenCopy, env: { ...process.env, HYPERNODE_INSTANCE: marker, HYPERNODE_STACK: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    leftovers.push(up.pid!);
    let output = '';
    up.stdout.on('data', (d: Buffer) => (output += d.toString()));
    up.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await Promise.race([new Promise<number | null>((r) => up.on('close', (c) => r(c))), sleep(120_000).then(() => 'timeout' as const)]);
    expect(code, output).toBe(1);
    expect(output).toContain('infra broken on purpose');
    expect(output).toMatch(/starting site :\d+, llm-deployer :\d+ \(the rest after the infra task\)/);
    expect(output).toMatch(/the infra task failed \(exit \d+\); its output is above\. Stopping site, llm-deployer; nothing else was started\./);
    expect(output).not.toMatch(/starting api/);
    const gone = await until('no process of the stack left', 30_000, async () => (pidsWithEnv('HYPERNODE_INSTANCE', marker).length === 0 ? true : undefined), () => output).catch(() => false);
    expect(gone, `still running: ${pidsWithEnv('HYPERNODE_INSTANCE', marker).join(', ')}`).toBe(true);
    expect([...findListeners(apps.map((a) => a.port)).keys()]).toEqual([]);
  }, 180_000);
});
