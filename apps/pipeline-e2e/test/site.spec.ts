import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '@hypernode/port-inspect';
import { freePort } from '@hypernode/testing';
import { startBackend, type Backend } from './backend.js';

const ROOT = resolve(__dirname, '../../..');
const SHOTS = join(ROOT, 'tmp', 'screenshots');
let b: Backend;
let site: ChildProcess;
let siteUrl: string;
let browser: Browser;
let page: Page;
const stops: Array<() => Promise<unknown>> = [];

/** The site's Vite dev server on a free port, pointed at this test's backend. */
function startSite(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'serve.ts'], {
    cwd: join(ROOT, 'apps/site'),
    env: { ...process.env, SITE_PORT: String(port), VITE_BACKEND_API_URL: b.apiUrl, VITE_BACKEND_WS_URL: b.wsUrl, HYPERNODE_STACK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('site ready') && ok(child));
    child.once('exit', (code) => fail(new Error(`site exited ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  const port = await freePort();
  siteUrl = `http://localhost:${port}`;
  b = await startBackend({ browserOrigins: [siteUrl, `http://127.0.0.1:${port}`] });
  const engine = await b.startAutomation();
  stops.push(() => engine.close());
  await b.startWorker('browser-test-gpu', 80, { jobMs: 1500 });
  site = await startSite(port);
  // Debian's chromium, driven by playwright-core (npm's own browser download does not work here).
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  page = await browser.newPage();
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await page?.screenshot({ path: join(SHOTS, 'site-dashboard.png'), fullPage: true }).catch(() => undefined);
  await browser?.close();
  if (site?.pid) await stopProcess(site.pid, 3000);
  for (const stop of stops) await stop();
  await b?.close();
}, 60_000);

const rowOf = (id: string) => page.locator(`tr[data-deployment="${id}"]`);

describe('site dashboard in a real browser', () => {
  it('shows the port map with live health and a deployment reaching completed without a reload', async () => {
    await page.goto(siteUrl);
    await expect(page.getByRole('heading', { name: 'Hypernode' }).isVisible()).resolves.toBe(true);
    await page.locator('tr[data-service="postgres"] .status-badge[data-status="up"]').waitFor({ timeout: 30_000 });
    await page.locator('p[aria-live] .status-badge[data-status="open"]').waitFor({ timeout: 15_000 });
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
});
