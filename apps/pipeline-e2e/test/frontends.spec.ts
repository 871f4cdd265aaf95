import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '@hypernode/port-inspect';
import { freePort } from '@hypernode/testing';
import { startBackend, type Backend } from './backend.js';

const ROOT = resolve(__dirname, '../../..');
const SHOTS = join(ROOT, 'tmp', 'screenshots');
let b: Backend;
let siteUrl: string;
let deployerUrl: string;
let deployerPort: number;
let browser: Browser;
/** One browser profile for both frontends: localhost cookies are shared by every port, so one sign-in serves both. */
let context: BrowserContext;
let page: Page;
let deployerPage: Page;
const stops: Array<() => Promise<unknown>> = [];
/** Every frontend process started, so a failed start still gets cleaned up. */
const children: ChildProcess[] = [];

/** A frontend's dev server (serve.ts) on a free port, pointed at this test's backend. */
function startFrontend(name: 'site' | 'llm-deployer', port: number): Promise<ChildProcess> {
  const env = name === 'site' ? { SITE_PORT: String(port), VITE_BACKEND_API_URL: b.apiUrl, VITE_BACKEND_WS_URL: b.wsUrl } : { LLM_DEPLOYER_PORT: String(port), NEXT_PUBLIC_API_URL: b.apiUrl, NEXT_PUBLIC_WS_URL: b.wsUrl };
  const child = spawn(process.execPath, ['--import', 'tsx', 'serve.ts'], { cwd: join(ROOT, 'apps', name), env: { ...process.env, ...env, HYPERNODE_STACK: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((ok, fail) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes(`${name} ready`) && ok(child));
    child.once('exit', (code) => fail(new Error(`${name} exited ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  const port = await freePort();
  deployerPort = await freePort();
  siteUrl = `http://localhost:${port}`;
  deployerUrl = `http://localhost:${deployerPort}`;
  b = await startBackend({ browserOrigins: [siteUrl, deployerUrl] });
  // The health sweep checks the registry's services; point its api entry at this test's api.
  process.env.API_PORT = String(b.apiPort);
  const engine = await b.startAutomation();
  stops.push(() => engine.close());
  await b.startWorker('browser-test-gpu', 80, { jobMs: 1500 });
  await Promise.all([startFrontend('site', port), startFrontend('llm-deployer', deployerPort)]);
  // Debian's chromium, driven by playwright-core (npm's own browser download does not work here).
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  context = await browser.newContext();
  page = await context.newPage();
  deployerPage = await context.newPage();
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await page?.screenshot({ path: join(SHOTS, 'site-dashboard.png'), fullPage: true }).catch(() => undefined);
  await deployerPage?.screenshot({ path: join(SHOTS, 'llm-deployer.png'), fullPage: true }).catch(() => undefined);
  await browser?.close();
  for (const child of children) if (child.pid) await stopProcess(child.pid, 3000);
  // The deployer's dev build folder for this port (serve.ts keeps one per port).
  rmSync(join(ROOT, 'apps/llm-deployer', `.next-${deployerPort}`), { recursive: true, force: true });
  for (const stop of stops) await stop();
  await b?.close();
}, 60_000);

const rowOf = (id: string) => page.locator(`tr[data-deployment="${id}"]`);
/** The session cookie the api set in the browser (HttpOnly: only the browser profile can read it). */
const sessionCookie = async () => (await context.cookies(b.apiUrl)).find((c) => c.name === 'hn_session');
const SIGN_IN_HEADING = 'Sign in to Hypernode';

describe('site dashboard and LLM deployer in a real browser', () => {
  it('shows the sign-in page, not a broken dashboard, to a browser that is not signed in', async () => {
    const stranger = await browser.newPage();
    try {
      await stranger.goto(siteUrl);
      await stranger.getByRole('heading', { name: SIGN_IN_HEADING }).waitFor({ timeout: 30_000 });
      expect(await stranger.getByText('Open the sign-in URL').isVisible()).toBe(true);
      await stranger.screenshot({ path: join(SHOTS, 'site-sign-in.png'), fullPage: true });
    } finally {
      await stranger.close();
    }
  }, 60_000);

  it('signs in from the printed sign-in URL: HttpOnly SameSite cookie, token gone from the address bar, dashboard shown', async () => {
    await page.goto(`${siteUrl}/#sign-in=${await b.signInToken()}`);
    await page.getByRole('heading', { name: 'Hypernode', exact: true }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).hash).toBe('');
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie!.value).toMatch(/^hns_/);
  }, 60_000);

  it('shows the port map with live health and a deployment reaching completed without a reload', async () => {
    await expect(page.getByRole('heading', { name: 'Hypernode', exact: true }).isVisible()).resolves.toBe(true);
    await page.locator('tr[data-service="postgres"] .status-badge[data-status="up"]').waitFor({ timeout: 30_000 });
    await page.locator('p[aria-live] .status-badge[data-status="open"]').waitFor({ timeout: 15_000 });
    // Deployments have their own view in the dashboard.
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Deployments' }).click();
    const { body } = await b.post('/deployments', { model: 'browser-visible-model', minVramGb: 8 });
    await rowOf(body.id).locator('.status-badge[data-status="completed"]').waitFor({ timeout: 30_000 });
    expect(await rowOf(body.id).locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('100');
    await page.screenshot({ path: join(SHOTS, 'site-completed.png'), fullPage: true });
  }, 60_000);

  it('reconnects after the WebSocket drops and loses no update, with no duplicate row', async () => {
    for (const client of b.realtime.wss.clients) client.terminate();
    const { body } = await b.post('/deployments', { model: 'after-the-drop', minVramGb: 8 });
    await rowOf(body.id).locator('.status-badge[data-status="completed"]').waitFor({ timeout: 30_000 });
    expect(await rowOf(body.id).count()).toBe(1);
    await page.locator('p[aria-live] .status-badge[data-status="open"]').waitFor({ timeout: 15_000 });
  }, 60_000);

  it('filters deployments by state', async () => {
    await page.getByLabel('Show').selectOption('failed');
    await page.getByText('No deployments in state failed').waitFor({ timeout: 5000 });
    await page.getByLabel('Show').selectOption('');
  }, 30_000);

  it('creates a deployment in the LLM deployer and watches it complete there and on the dashboard, without reloads', async () => {
    await deployerPage.goto(deployerUrl, { timeout: 90_000 });
    await deployerPage.getByRole('heading', { name: 'Hypernode LLM deployer' }).waitFor({ timeout: 30_000 });
    await deployerPage.locator('p[aria-live] .status-badge[data-status="open"]').waitFor({ timeout: 30_000 });
    await deployerPage.getByLabel('Model', { exact: true }).fill('from-the-browser');
    await deployerPage.getByLabel('VRAM needed (GB)', { exact: true }).fill('8');
    await deployerPage.getByRole('button', { name: 'Deploy' }).click();
    const created = deployerPage.getByRole('status');
    await created.waitFor({ timeout: 15_000 });
    const id = (await created.locator('a').textContent())!.trim();
    await deployerPage.locator(`tr[data-deployment="${id}"] .status-badge[data-status="completed"]`).waitFor({ timeout: 30_000 });
    await rowOf(id).locator('.status-badge[data-status="completed"]').waitFor({ timeout: 30_000 });
    await deployerPage.screenshot({ path: join(SHOTS, 'llm-deployer-completed.png'), fullPage: true });
  }, 120_000);

  it('a create whose answer was lost, sent again from the form, makes one deployment (the same Idempotency-Key)', async () => {
    await deployerPage.getByLabel('Model', { exact: true }).fill('answer-lost');
    await deployerPage.getByLabel('VRAM needed (GB)', { exact: true }).fill('8');
    // The first POST reaches the api (which creates the deployment), then its answer is dropped: the browser sees a network error.
    const keys: string[] = [];
    await deployerPage.route('**/deployments', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length > 1) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    try {
      await deployerPage.getByRole('button', { name: 'Deploy' }).click();
      const form = deployerPage.getByRole('form', { name: 'New deployment' });
      await form.getByRole('alert').waitFor({ timeout: 15_000 });
      expect(await form.getByRole('status').count()).toBe(0);
      await deployerPage.getByRole('button', { name: 'Deploy' }).click();
      const created = form.getByRole('status');
      await created.waitFor({ timeout: 15_000 });
      const id = (await created.locator('a').textContent())!.trim();
      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(keys[1]).toBe(keys[0]);
      const rows = await b.pool.query<{ id: string }>("SELECT id FROM deployments WHERE model = 'answer-lost'");
      expect(rows.rows.map((r) => r.id)).toEqual([id]);
    } finally {
      await deployerPage.unroute('**/deployments');
    }
  }, 60_000);

  it('shows the api\'s validation error next to the field', async () => {
    await deployerPage.getByLabel('Model', { exact: true }).fill('bad-vram');
    await deployerPage.getByLabel('VRAM needed (GB)', { exact: true }).fill('0');
    await deployerPage.getByRole('button', { name: 'Deploy' }).click();
    const error = deployerPage.locator('#minVramGb-error');
    await error.waitFor({ timeout: 15_000 });
    expect(await error.textContent()).toContain('must be > 0');
    expect(await deployerPage.getByLabel('VRAM needed (GB)', { exact: true }).getAttribute('aria-invalid')).toBe('true');
  }, 60_000);

  it('renders a useful first paint from the server for the signed-in browser (its cookie forwarded), and nothing for others', async () => {
    const cookie = await sessionCookie();
    const html = await (await fetch(deployerUrl, { headers: { cookie: `hn_session=${cookie!.value}` } })).text();
    expect(html).toContain('from-the-browser');
    expect(html).toContain('Hypernode LLM deployer');
    const anonymous = await (await fetch(deployerUrl)).text();
    expect(anonymous).not.toContain('from-the-browser');
  }, 60_000);

  it('marks the api down within 5 s of it stopping, and up again when it is back, without a reload', async () => {
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Services' }).click();
    const apiHealth = page.locator('tr[data-service="api"] .status-badge');
    await page.locator('tr[data-service="api"] .status-badge[data-status="up"]').waitFor({ timeout: 15_000 });
    await b.stopApi();
    const stoppedAt = Date.now();
    await page.locator('tr[data-service="api"] .status-badge[data-status="down"]').waitFor({ timeout: 5_000 });
    console.log(`dashboard showed the api down ${Date.now() - stoppedAt} ms after it stopped`);
    await b.startApi();
    await page.locator('tr[data-service="api"] .status-badge[data-status="up"]').waitFor({ timeout: 10_000 });
    expect(await apiHealth.textContent()).toContain('up');
  }, 60_000);

  it('opens a deployment\'s page, rendered by the server and live, with a cancel button', async () => {
    const { body } = await b.post('/deployments', { model: 'needs-a-cancel', minVramGb: 4000 });
    await deployerPage.goto(`${deployerUrl}/deployments/${body.id}`, { timeout: 60_000 });
    await deployerPage.getByRole('heading', { name: 'needs-a-cancel' }).waitFor({ timeout: 30_000 });
    // The server-rendered button does nothing until the page has hydrated: wait for the live link.
    await deployerPage.locator('p[aria-live] .status-badge[data-status="open"]').waitFor({ timeout: 30_000 });
    await deployerPage.getByRole('button', { name: 'Cancel needs-a-cancel' }).click();
    await deployerPage.locator(`tr[data-deployment="${body.id}"] .status-badge[data-status="cancelled"]`).waitFor({ timeout: 15_000 });
    await deployerPage.screenshot({ path: join(SHOTS, 'llm-deployer-detail.png'), fullPage: true });
  }, 90_000);

  it('signs out: the page shows the sign-in page and the api refuses the old session', async () => {
    const before = await sessionCookie();
    await deployerPage.getByRole('button', { name: 'Sign out' }).click();
    await deployerPage.getByRole('heading', { name: SIGN_IN_HEADING }).waitFor({ timeout: 30_000 });
    expect(await sessionCookie()).toBeUndefined();
    // The session is revoked on the server, not just forgotten by the browser.
    const me = await fetch(`${b.apiUrl}/auth/me`, { headers: { cookie: `hn_session=${before!.value}` } });
    expect(me.status).toBe(401);
    const cancel = await fetch(`${b.apiUrl}/deployments/00000000-0000-4000-8000-000000000000/cancel`, { method: 'POST', headers: { cookie: `hn_session=${before!.value}`, origin: deployerUrl } });
    expect(cancel.status).toBe(401);
    await page.reload();
    await page.getByRole('heading', { name: SIGN_IN_HEADING }).waitFor({ timeout: 30_000 });
    await deployerPage.screenshot({ path: join(SHOTS, 'llm-deployer-signed-out.png'), fullPage: true });
  }, 60_000);

  it('signs in again by pasting an API key', async () => {
    await page.getByLabel('API key').fill(b.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hypernode', exact: true }).waitFor({ timeout: 30_000 });
    expect((await sessionCookie())?.value).toMatch(/^hns_/);
  }, 60_000);
});
