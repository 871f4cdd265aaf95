/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedService, SupervisorServices } from '@hypernode/events';
import { findListeners, pidsWithEnv, stopProcess, WORKSPACE_MARKER } from '@hypernode/port-inspect';
import { instanceDatabaseName, instanceRedisPrefix, isServiceName, listServices, portFor, urlFor } from '@hypernode/ports';
import { copyWorkspace } from '@hypernode/testing';

// The dashboard against a real stack: `hypernode up` (the supervisor and every app as its own
// process) in a copy of this workspace, pinned to an instance slot of this test's range, driven
// in Debian's chromium. Nothing is simulated: processes are killed with real signals, lines come
// from the apps' own output, the burst from real HTTP requests.
const ROOT = resolve(__dirname, '../../..');
const SHOTS = join(ROOT, 'tmp', 'screenshots');
/** This test's instance slots (the team's allotment); the first free one is used. */
const SLOTS = [60, 61, 62, 63, 64, 65, 66, 67, 68, 69];
const hasSupervisor = isServiceName('supervisor');

let dir: string;
let home: string;
let slot: number;
let stack: ChildProcess | undefined;
let output = '';
let browser: Browser;
let context: BrowserContext;
let page: Page;
let siteUrl: string;
let apiUrl: string;
let supervisorUrl: string;
let adminKey: string;

const urlOf = (name: string) => listServices({ instance: slot, env: {} }).find((s) => s.name === name)!.publicUrl;

function freeSlot(): number {
  for (const n of SLOTS) {
    const ports = listServices({ instance: n, env: {} })
      .filter((s) => s.kind !== 'infra' && s.kind !== 'blockchain')
      .map((s) => s.port);
    if (findListeners(ports).size === 0) return n;
  }
  throw new Error(`no free instance slot among ${SLOTS.join(', ')}: stop the stacks on them (npx hypernode instances)`);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(250)) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}\n--- hypernode up output (tail) ---\n${stripVTControlCharacters(output).slice(-4000)}`);
}

async function supervised(): Promise<SupervisedService[]> {
  const res = await fetch(`${supervisorUrl}/services`, { headers: { authorization: `Bearer ${adminKey}` }, signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`supervisor /services answered ${res.status}`);
  return ((await res.json()) as SupervisorServices).services;
}

/** The instance's database and Redis keys (what `hypernode up` created for the slot), dropped after the test. */
async function dropInstanceData(n: number): Promise<void> {
  const client = new pg.Client({ host: 'localhost', port: portFor('postgres', { env: {} }), user: 'postgres', database: 'postgres', connectionTimeoutMillis: 3_000, query_timeout: 30_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`drop database if exists ${client.escapeIdentifier(instanceDatabaseName(n))} with (force)`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(urlFor('redis', { env: {} }), { lazyConnect: true, connectTimeout: 3_000, commandTimeout: 10_000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${instanceRedisPrefix(n)}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** axe-core in the page: the serious and critical violations, each as `rule: target …`. */
async function axeProblems(): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.targets.join(' | ')}`);
}

/** `total` GETs of `url` over `connections` concurrent loops (keep-alive); each bounded by a timeout. */
async function burst(url: string, total: number, connections: number): Promise<{ total: number; failed: number }> {
  let next = 0;
  let failed = 0;
  const loop = async () => {
    while (next < total) {
      next++;
      await fetch(`${url}?n=${next}`, { signal: AbortSignal.timeout(10_000) }).then(
        (r) => r.arrayBuffer(),
        () => void failed++,
      );
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { total: next, failed };
}

const nav = (name: string) => page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true });
const row = (service: string) => page.locator(`tr[data-service="${service}"]`);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!hasSupervisor) return;
  slot = freeSlot();
  dir = mkdtempSync(join(tmpdir(), 'hn-dash-copy-'));
  home = mkdtempSync(join(tmpdir(), 'hn-dash-home-'));
  copyWorkspace(ROOT, dir);
  const env: NodeJS.ProcessEnv = { ...process.env, HYPERNODE_HOME: home, HYPERNODE_INSTANCE: String(slot), NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
  for (const name of ['HYPERNODE_STACK', WORKSPACE_MARKER, 'DATABASE_URL', 'HYPERNODE_REDIS_PREFIX', 'HYPERNODE_JOIN_TOKEN', 'API_PORT', 'SITE_PORT']) delete env[name];
  // Its own process group: the teardown reaches every child even if `hypernode up` dies first.
  stack = spawn(process.execPath, [join(dir, 'tools/cli/bin/hypernode.js'), 'up'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  stack.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  stack.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  siteUrl = urlOf('site');
  apiUrl = urlOf('api');
  supervisorUrl = urlOf('supervisor');
  const signIn = await waitFor(
    'the site sign-in URL',
    () => new RegExp(`${siteUrl.replace(/[.]/g, '\\.')}/#sign-in=hnt_[A-Za-z0-9_-]+`).exec(stripVTControlCharacters(output))?.[0],
    300_000,
  );
  adminKey = readFileSync(join(dir, '.hypernode', 'admin-key'), 'utf8').trim();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: siteUrl });
  page = await context.newPage();
  // A stack that printed its sign-in URL and then failed says why in its own output.
  const withOutput = (e: Error) => expect.fail(`${e.message}\nthe stack's last output:\n${stripVTControlCharacters(output).slice(-4000)}`);
  await page.goto(signIn).catch(withOutput);
  await page.getByRole('heading', { name: 'Hypernode', exact: true }).waitFor({ timeout: 60_000 }).catch(withOutput);
  mkdirSync(SHOTS, { recursive: true });
}, 420_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (stack?.pid) {
    const closed = new Promise((r) => stack!.once('close', r));
    try {
      process.kill(stack.pid, 'SIGTERM');
      await Promise.race([closed, sleep(60_000)]);
    } catch {
      /* already gone */
    }
    await stopProcess(stack.pid, 2_000).catch(() => undefined);
  }
  if (dir) await Promise.all(pidsWithEnv(WORKSPACE_MARKER, dir).map((pid) => stopProcess(pid, 3_000).catch(() => undefined)));
  if (slot !== undefined) await dropInstanceData(slot).catch(() => undefined);
  for (const d of [dir, home]) if (d) rmSync(d, { recursive: true, force: true });
}, 120_000);

describe.skipIf(!hasSupervisor)('the dashboard on `hypernode up` (real supervisor, real chromium)', () => {
  it('shows every supervised service ready, with endpoints, uptime, CPU and memory', async () => {
    const names = (await supervised()).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['site', 'llm-deployer', 'api', 'realtime', 'automation', 'gpu-worker']));
    for (const name of names) await row(name).locator('.state-badge[data-state="ready"]').waitFor({ timeout: 180_000 });
    await row('api').locator(`a[href^="${apiUrl}"]`).first().waitFor({ timeout: 5_000 });
    expect(await row('api').locator('td.num').nth(2).textContent()).toMatch(/%$/);
    expect(await row('api').locator('td.num').nth(3).textContent()).toMatch(/iB$|B$/);
    // An admin session sees the actions.
    await row('api').getByRole('button', { name: 'Restart api' }).waitFor({ timeout: 5_000 });
    await shot('services');
    expect(await axeProblems()).toEqual([]);
  }, 300_000);

  it('shows a service killed with SIGKILL (its whole process group) as crashed with its exit within 2 s; Restart from the UI brings it back to ready', async () => {
    const target = 'automation';
    const before = (await supervised()).find((s) => s.name === target)!;
    expect(before.pid).toBeGreaterThan(0);
    // Record every state the row shows, with when: a supervisor that restarts crashed services at
    // once may leave `crashed` on screen only briefly.
    await page.evaluate((name) => {
      const seen: Array<{ state: string; at: number; text: string }> = [];
      (window as unknown as { __states: typeof seen }).__states = seen;
      const observe = () => {
        const tr = document.querySelector(`tr[data-service="${name}"]`);
        const badge = tr?.querySelector('.state-badge');
        const state = tr?.getAttribute('data-state') ?? '';
        if (seen[seen.length - 1]?.state !== state) seen.push({ state, at: Date.now(), text: badge?.textContent ?? '' });
      };
      new MutationObserver(observe).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
      observe();
    }, target);
    const killedAt = await page.evaluate(() => Date.now());
    process.kill(-before.pid!, 'SIGKILL');
    const crashed = await waitFor(
      `${target} shown crashed`,
      async () => (await page.evaluate(() => (window as unknown as { __states: Array<{ state: string; at: number; text: string }> }).__states)).find((s) => s.state === 'crashed'),
      10_000,
    );
    const after = (await supervised()).find((s) => s.name === target)!;
    console.log(`dashboard showed ${target} crashed ${crashed.at - killedAt} ms after SIGKILL: "${crashed.text}"`);
    expect(crashed.at - killedAt).toBeLessThanOrEqual(2_000);
    const exit = String(after.exitCode ?? after.exitSignal ?? before.exitCode ?? before.exitSignal);
    expect(crashed.text).toContain('crashed');
    expect(crashed.text).toMatch(/exit (\d+|SIG[A-Z]+)/);
    if (after.state === 'crashed') expect(crashed.text).toContain(exit);
    await shot('crashed');

    await row(target).getByRole('button', { name: `Restart ${target}` }).click();
    await row(target).locator('.state-badge[data-state="ready"]').waitFor({ timeout: 180_000 });
    const restarted = (await supervised()).find((s) => s.name === target)!;
    expect(restarted.restarts).toBeGreaterThan(before.restarts);
    expect(await row(target).locator('.state-badge').textContent()).toMatch(/ready.*restart/);
  }, 300_000);

  it('asks for confirmation before stopping a service', async () => {
    await row('gpu-worker').getByRole('button', { name: 'Stop gpu-worker' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop gpu-worker?' });
    await dialog.waitFor({ timeout: 5_000 });
    await shot('stop-confirmation');
    await dialog.getByRole('button', { name: 'Keep it running' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
    expect((await supervised()).find((s) => s.name === 'gpu-worker')!.state).toBe('ready');
  }, 60_000);

  it('finds a request\'s log line by a search sent to the server', async () => {
    const marker = `dash-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const res = await fetch(`${apiUrl}/no-such-route/${marker}`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(404);
    await nav('Logs').click();
    await page.getByRole('checkbox', { name: 'api' }).check();
    const search = page.getByRole('searchbox', { name: /Search logs/ });
    await search.fill(marker);
    await search.press('Enter');
    const hit = page.locator('[role="list"][aria-label="Log lines"] [data-service="api"]', { hasText: marker }).first();
    await hit.waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).hash).toContain(`q=${marker}`);
    // The marker is in the line's pino fields (req.url): open them.
    await hit.getByRole('button', { name: 'Show fields' }).click();
    await page.locator('.log-fields', { hasText: marker }).first().waitFor({ timeout: 5_000 });
    await shot('logs-search');
  }, 60_000);

  it('combines chosen services into one view ordered by time, each line tagged with its service', async () => {
    await page.goto(`${siteUrl}/#/logs?services=api,automation,gpu-worker,realtime`);
    await page.locator('[role="list"][aria-label="Log lines"] [data-time]').first().waitFor({ timeout: 15_000 });
    // Make them speak at about the same time (a request each; probes are not logged, a 404 is).
    await Promise.all(['api', 'automation', 'gpu-worker', 'realtime'].map((s) => fetch(`${urlOf(s)}/combined-${Date.now()}`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined)));
    await sleep(1_000);
    const rows = await page.locator('[role="list"][aria-label="Log lines"] [data-time]').evaluateAll((els) => els.map((e) => ({ time: Number(e.getAttribute('data-time')), service: e.getAttribute('data-service')! })));
    expect(rows.length).toBeGreaterThan(5);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.time, `row ${i} of ${rows.length}`).toBeGreaterThanOrEqual(rows[i - 1]!.time);
    const services = new Set(rows.map((r) => r.service));
    console.log(`combined view: ${rows.length} rendered rows from ${[...services].join(', ')}, in time order`);
    expect(services.size).toBeGreaterThan(1);
    await shot('logs-combined');
    expect(await axeProblems()).toEqual([]);
  }, 60_000);

  it('pauses, marks, clears and offers the download of the current filter', async () => {
    await page.goto(`${siteUrl}/#/logs?services=api`);
    await page.getByTestId('line-count').waitFor({ timeout: 15_000 });
    await sleep(1_000);
    await page.keyboard.press('p');
    await page.getByRole('button', { name: /^Resume/ }).waitFor({ timeout: 5_000 });
    await page.keyboard.press('p');
    await page.getByRole('button', { name: 'Mark' }).click();
    await page.locator('[data-mark="true"]').waitFor({ timeout: 5_000 });
    const href = await page.getByRole('link', { name: 'Download' }).getAttribute('href');
    expect(href).toBe(`${supervisorUrl}/logs/download?services=api`);
    const download = await fetch(href!, { headers: { authorization: `Bearer ${adminKey}` }, signal: AbortSignal.timeout(30_000) });
    expect(download.status).toBe(200);
    expect((await download.text()).split('\n')[0]).toMatch(/^\{"seq":/);
    const beforeClear = Number((await page.getByTestId('line-count').textContent())!.replace(/\D/g, ''));
    expect(beforeClear).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Clear' }).click();
    // Cleared on the client; new lines (heartbeats) keep coming after it.
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="line-count"]')?.textContent?.replace(/\D/g, '') ?? n) < Math.min(n, 20), beforeClear, { timeout: 5_000 });
  }, 60_000);

  it("keeps the deployments view; a deployment's trace link opens its waterfall across api, automation and gpu-worker", async () => {
    const res = await fetch(`${apiUrl}/deployments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ model: 'dashboard-e2e', minVramGb: 8 }) });
    const { id } = (await res.json()) as { id: string };
    await nav('Deployments').click();
    const row = page.locator(`tr[data-deployment="${id}"]`);
    await row.locator('.status-badge[data-status="completed"]').waitFor({ timeout: 60_000 });
    const link = row.getByRole('link', { name: /Trace of/ });
    expect(await link.getAttribute('href')).toBe(`#/traces?deploymentId=${id}`);
    await shot('deployments');
    expect(await axeProblems()).toEqual([]);

    // The services export their spans every 500 ms: the trace is listed within seconds.
    await link.click();
    await page.getByRole('heading', { name: 'Traces' }).waitFor({ timeout: 5_000 });
    const first = page.locator('.trace-list a').first();
    const traceView = async () => (await page.locator('section[aria-labelledby="traces-heading"]').innerText().catch(() => '(unreadable)')).slice(0, 2000);
    const held = async () => JSON.stringify(await (await fetch(`${supervisorUrl}/traces?deploymentId=${id}`, { headers: { authorization: `Bearer ${adminKey}` }, signal: AbortSignal.timeout(10_000) })).json()).slice(0, 1000);
    // Each look waits for the view's answer (the list, or "No traces"), then reloads while it is "No traces".
    for (const until = Date.now() + 30_000; ; ) {
      await first
        .or(page.getByTestId('no-traces'))
        .first()
        .waitFor({ timeout: 15_000 })
        .catch(async (e: Error) => expect.fail(`${e.message}\nthe traces view shows:\n${await traceView()}`));
      if ((await first.isVisible()) || Date.now() > until) break;
      await sleep(1_000);
      await page.reload();
    }
    if (!(await first.isVisible())) expect.fail(`no trace listed for deployment ${id} within 30 s\nthe traces view shows:\n${await traceView()}\nthe supervisor holds: ${await held()}`);
    await first.click();
    const waterfall = page.locator('.waterfall');
    // The view reads an open trace again while its spans still arrive (exported in batches).
    await waterfall
      .locator('[data-span], [data-group]')
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(async (e: Error) => expect.fail(`${e.message}\nthe traces view shows:\n${await traceView()}`));
    await page
      .waitForFunction(() => ['api', 'automation', 'gpu-worker'].every((s) => document.querySelector('.waterfall')?.textContent?.includes(s)), undefined, { timeout: 30_000 })
      .catch(async (e: Error) => expect.fail(`${e.message}\nthe traces view shows:\n${await traceView()}`));
    // Repeated sibling spans come folded (the engine's follow steps): unfold every group to see each service's spans.
    for (let i = 0; i < 50; i++) {
      const folded = waterfall.locator('.span-group button[aria-expanded="false"]');
      if ((await folded.count()) === 0) break;
      await folded.first().click();
    }
    const labels = await waterfall.locator('.span-label').allTextContents();
    expect(labels.some((l) => /^api.*POST/.test(l))).toBe(true);
    expect(labels.some((l) => l.startsWith('gpu-worker'))).toBe(true);
    console.log(`waterfall of deployment ${id}: ${labels.length} spans`);
    await shot('traces-waterfall');
    expect(await axeProblems()).toEqual([]);
  }, 180_000);

  it('has keyboard shortcuts with a ? help dialog', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await page.getByRole('heading', { name: 'Services', level: 2 }).waitFor({ timeout: 5_000 });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor({ timeout: 5_000 });
    expect(await help.textContent()).toContain('Go to logs');
    await shot('help');
    expect(await axeProblems()).toEqual([]);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden', timeout: 5_000 });
    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await page.getByRole('heading', { name: 'Logs', level: 2 }).waitFor({ timeout: 5_000 });
    await page.keyboard.press('/');
    await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'search', undefined, { timeout: 5_000 });
  }, 60_000);

  it('is axe-clean in dark on every view, keeps the theme across a reload, and works at phone width', async () => {
    await page.evaluate(() => localStorage.setItem('hypernode.theme', 'dark'));
    for (const [view, hash] of [
      ['services', ''],
      ['logs', '#/logs?services=api,realtime'],
      ['traces', '#/traces'],
      ['deployments', '#/deployments'],
    ] as const) {
      await page.goto(`${siteUrl}/${hash}`);
      await page.getByRole('heading', { level: 2 }).first().waitFor({ timeout: 15_000 });
      await sleep(500);
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await shot(`dark-${view}`);
      expect(await axeProblems(), `dark ${view}`).toEqual([]);
    }
    await page.evaluate(() => localStorage.setItem('hypernode.theme', 'light'));
    await page.setViewportSize({ width: 375, height: 812 });
    for (const [view, hash] of [
      ['services', ''],
      ['logs', '#/logs?services=api'],
    ] as const) {
      await page.goto(`${siteUrl}/${hash}`);
      await page.getByRole('heading', { level: 2 }).first().waitFor({ timeout: 15_000 });
      await sleep(500);
      // Nothing wider than the phone but the scrollable tables and the log list.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await shot(`phone-${view}`);
      expect(await axeProblems(), `phone ${view}`).toEqual([]);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 120_000);

  it('keeps rendering through a burst of 10,000 log lines (frame times printed)', async () => {
    await page.goto(`${siteUrl}/#/logs?services=api`);
    await page.locator('[data-testid="line-count"]').waitFor({ timeout: 15_000 });
    await sleep(1_000);
    const count = async () => Number((await page.locator('[data-testid="line-count"]').textContent())!.replace(/\D/g, ''));
    const start = await count();
    // The same measurement for 3 s with no burst: what this machine gives the page anyway.
    const idle = await page.evaluate(
      () =>
        new Promise<number[]>((done) => {
          const deltas: number[] = [];
          let last = performance.now();
          const end = last + 3_000;
          const tick = (now: number) => {
            deltas.push(now - last);
            last = now;
            if (now < end) requestAnimationFrame(tick);
            else done(deltas.slice(1));
          };
          requestAnimationFrame(tick);
        }),
    );
    const idleSorted = [...idle].sort((a, b) => a - b);
    const idleP95 = idleSorted[Math.floor(idleSorted.length * 0.95)] ?? 0;
    await page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __stop: boolean };
      w.__frames = [];
      w.__stop = false;
      let last = performance.now();
      const tick = (now: number) => {
        w.__frames.push(now - last);
        last = now;
        if (!w.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    // 10,000 requests to a route that does not exist: the api logs one line per request (service-kit request-log).
    const began = Date.now();
    const result = await burst(`${apiUrl}/burst-${Date.now()}`, 10_000, 20);
    const sent = Date.now() - began;
    const target = start + 10_000;
    await waitFor('10,000 burst lines on the page', async () => ((await count()) >= target ? true : undefined), 90_000).catch(() => undefined);
    const shown = (await count()) - start;
    const frames = await page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __stop: boolean };
      w.__stop = true;
      return w.__frames.slice(1);
    });
    const sorted = [...frames].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
    const max = sorted[sorted.length - 1] ?? 0;
    console.log(
      `log burst: ${result.total} requests in ${sent} ms (${result.failed} failed) → ${shown} new lines on the page; ` +
        `${frames.length} frames, p95 ${p95.toFixed(1)} ms, max ${max.toFixed(1)} ms (budget: p95 ≤ 50 ms, max ≤ 250 ms; printed, not asserted); ` +
        `idle baseline on this machine: ${idle.length} frames in 3 s, p95 ${idleP95.toFixed(1)} ms; load average ${loadavg()[0]!.toFixed(1)}`,
    );
    expect(shown).toBeGreaterThanOrEqual(10_000);
    await shot('logs-burst');
    // The page alone at 10,000 lines/s, on the production build: dashboard-frames.spec.ts.
  }, 300_000);
});
