import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (installed by tools/scripts/install-test-deps.sh), flags for a closed network. */
const CHROMIUM = { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] };

/** What one browser round saw. */
export interface BrowserResult {
  deploymentId: string;
  /** From the Deploy click to "completed" on the deployer page, live over /ws/. */
  liveMs: number;
}

async function signIn(page: Page, url: string, token: string, heading: string): Promise<void> {
  await page.goto(`${url}/#sign-in=${token}`);
  await page.getByRole('heading', { name: heading, exact: true }).waitFor({ timeout: 30_000 });
  // The connection indicator: the realtime WebSocket through the proxy's /ws/ is open.
  await page.locator('p[aria-live] .status-badge[data-status="open"]').waitFor({ timeout: 30_000 });
}

/**
 * Through the proxy only: signs in to the site and to llm-deployer with one-time links, creates a
 * deployment in llm-deployer and waits until both pages show it completed — pushed over /ws/,
 * never reloaded. Screenshots go to `shots`.
 */
export async function browserRound(siteUrl: string, deployerUrl: string, tokens: [string, string], shots: string, label: string): Promise<BrowserResult> {
  mkdirSync(shots, { recursive: true });
  let browser: Browser | undefined;
  // What the pages said, for the failure message: console errors, failed requests, WebSockets.
  const seen: string[] = [];
  const pages: Page[] = [];
  const watch = (page: Page, name: string) => {
    pages.push(page);
    page.on('console', (m) => m.type() === 'error' && seen.push(`${name} console: ${m.text()}`));
    page.on('requestfailed', (r) => seen.push(`${name} request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on('response', (r) => {
      if (r.url().includes('/auth/') || r.status() >= 400) seen.push(`${name} ${r.request().method()} ${r.url()} → ${r.status()}${r.headers()['set-cookie'] ? ' (sets a cookie)' : ''}`);
    });
    page.on('websocket', (ws) => {
      seen.push(`${name} websocket: ${ws.url()}`);
      ws.on('close', () => seen.push(`${name} websocket closed: ${ws.url()}`));
    });
    return page;
  };
  try {
    browser = await chromium.launch(CHROMIUM);
    const context = await browser.newContext();
    const site = watch(await context.newPage(), 'site');
    await signIn(site, siteUrl, tokens[0], 'Hypernode');
    await site.locator('tr[data-service="api"] .status-badge[data-status="up"]').waitFor({ timeout: 30_000 });
    const deployer = watch(await context.newPage(), 'llm-deployer');
    await signIn(deployer, deployerUrl, tokens[1], 'Hypernode LLM deployer');
    await deployer.getByLabel('Model', { exact: true }).fill(`rehearsal-${label}`);
    await deployer.getByLabel('VRAM needed (GB)', { exact: true }).fill('8');
    const clicked = Date.now();
    await deployer.getByRole('button', { name: 'Deploy' }).click();
    const deploymentId = (await deployer.getByRole('status').locator('a').textContent({ timeout: 15_000 }))!.trim();
    await deployer.locator(`tr[data-deployment="${deploymentId}"] .status-badge[data-status="completed"]`).waitFor({ timeout: 60_000 });
    const liveMs = Date.now() - clicked;
    // Deployments have their own view in the dashboard.
    await site.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Deployments' }).click();
    await site.locator(`tr[data-deployment="${deploymentId}"] .status-badge[data-status="completed"]`).waitFor({ timeout: 30_000 });
    await site.screenshot({ path: join(shots, `${label}-site.png`), fullPage: true });
    await deployer.screenshot({ path: join(shots, `${label}-llm-deployer.png`), fullPage: true });
    return { deploymentId, liveMs };
  } catch (error) {
    const cookies = await pages[0]?.context().cookies().catch(() => []);
    seen.push(`cookies: ${(cookies ?? []).map((c) => `${c.name} for ${c.domain}${c.path}`).join(', ') || '(none)'}`);
    await Promise.all(pages.map((p, i) => p.screenshot({ path: join(shots, `${label}-failure-${i}.png`), fullPage: true }).catch(() => undefined)));
    throw new Error(`${(error as Error).message.split('\n')[0]}; screenshots in ${shots}; the pages saw:\n  ${seen.filter((l, i, all) => all.indexOf(l) === i).slice(-20).join('\n  ') || '(nothing)'}`);
  } finally {
    await browser?.close();
  }
}
