import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

// `npm run rehearse` itself, as CI runs it: build, every app from its build output, nginx then
// Caddy, chromium through the proxy, SIGTERM. Its verdict is its exit code and summary lines.
describe('production rehearsal (npm run rehearse)', () => {
  it('brings every app up from its build output behind nginx and then Caddy, completes a deployment live in the browser, and stops everything cleanly', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/rehearsal/src/main.ts'], { cwd: ROOT, env: { ...process.env, NX_TUI: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code, output.slice(-6000)).toBe(0);
    for (const proxy of ['nginx', 'caddy']) expect(output).toMatch(new RegExp(`rehearse ${proxy}: 6 apps from build output .*deployment [0-9a-f-]{36} completed live over /ws/ .* — PASS`));
    expect(output).toMatch(/SIGTERM: .* exited 0/);
    expect(output.trimEnd().split('\n').at(-1)).toMatch(/^rehearse: PASS — 6 apps, proxies nginx then caddy, all stopped with exit 0, [\d.]+ s$/);
  }, 600_000);

  it('refuses a bad flag, naming the value and the valid ones', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/rehearsal/src/main.ts', '--proxies', 'apache'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    expect(await new Promise((r) => child.on('close', r))).not.toBe(0);
    expect(output).toContain('"apache" is not valid: give nginx, caddy or both');
  }, 60_000);
});
