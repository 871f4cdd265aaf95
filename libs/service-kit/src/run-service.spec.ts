import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@hypernode/testing';
import { PortInUseError } from './errors.js';
import { runService, type RunningService } from './run-service.js';

function httpStarter(closes: { count: number }) {
  return async ({ port, host }: { port: number; host: string }) => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    return {
      close: () => {
        closes.count++;
        return new Promise<void>((r) => server.close(() => r()));
      },
    };
  };
}

const running: RunningService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});


/** Runs a fixture (through tsx) as the realtime service on `port`; `output()` is what it printed so far. */
function startFixture(file: string, port: number, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(`./__fixtures__/${file}`, import.meta.url).pathname], {
    env: { ...process.env, REALTIME_PORT: String(port), HYPERNODE_HOST: '127.0.0.1', HYPERNODE_STACK: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  return { child, output: () => text, exited };
}

describe('runService', () => {
  it('listens on the port the registry resolves (env override here) and closes exactly once', async () => {
    const port = await freePort();
    const closes = { count: 0 };
    const service = await runService('api', httpStarter(closes), { env: { API_PORT: String(port), HYPERNODE_HOST: '127.0.0.1' }, handleSignals: false });
    running.push(service);
    expect(service.port).toBe(port);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    await Promise.all([service.close(), service.close()]);
    await service.close();
    expect(closes.count).toBe(1);
  });

  it('refuses a taken port with PortInUseError naming this process as holder, before starting anything', async () => {
    const holder = createTcpServer();
    await new Promise<void>((r) => holder.listen(0, '::1', r));
    const { port } = holder.address() as { port: number };
    let started = false;
    try {
      const attempt = runService('realtime', async () => ((started = true), { close: async () => undefined }), { env: { REALTIME_PORT: String(port) }, handleSignals: false });
      await expect(attempt).rejects.toThrow(PortInUseError);
      await expect(attempt).rejects.toThrow(new RegExp(`realtime cannot start: port ${port} is already in use by pid ${process.pid} .*REALTIME_PORT=<free port>`));
      expect(started).toBe(false);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('ignores a bare PORT inside a stack run and honours it when run alone', async () => {
    const port = await freePort();
    const closes = { count: 0 };
    const alone = await runService('automation', httpStarter(closes), { env: { PORT: String(port), HYPERNODE_HOST: '127.0.0.1' }, handleSignals: false });
    running.push(alone);
    expect(alone.port).toBe(port);
    await alone.close();
    await expect(runService('automation', httpStarter(closes), { env: { PORT: 'x', HYPERNODE_HOST: '127.0.0.1' }, handleSignals: false })).rejects.toThrow(/PORT="x" is not valid/);
  });

  it('a SIGTERM while the start is still finishing (HTTP already answering) waits for it, closes what it started and exits 0', async () => {
    const port = await freePort();
    const { child, output, exited } = startFixture('slow-start.ts', port, { START_REST_MS: '1500' });
    try {
      for (let i = 0; i < 200 && !(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(output()).toContain('listening');
      expect(output()).not.toContain('start finished');
      child.kill('SIGTERM');
      expect(await exited, output()).toEqual([0, null]);
      expect(output()).toMatch(/listening\n[\s\S]*start finished\n[\s\S]*closed\n/);
      expect(output()).not.toMatch(/watchdog|still running/);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  // The watchdog's stack comes from the inspector: V8 pauses at its interrupt checks (function
  // entries, loop back-edges), so both a promise chain that never yields and a plain loop are caught in the act.
  for (const [block, stuckIn] of [['microtasks', 'spinOnMicrotasks'], ['sync', 'spinSynchronously']] as const) {
    it(`a close that blocks the event loop (${block}) is ended by the watchdog 1 s past the bound, with the stack it was stuck in`, async () => {
      const port = await freePort();
      const { child, output, exited } = startFixture('blocked-close.ts', port, { BLOCK: block });
      try {
        for (let i = 0; i < 200 && !output().includes('listening'); i++) await new Promise((r) => setTimeout(r, 50));
        const signalledAt = Date.now();
        child.kill('SIGTERM');
        expect(await exited, output()).toEqual([null, 'SIGKILL']);
        // Its own timer (0.5 s) never ran; the watchdog (1.5 s) did.
        expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1_400);
        expect(output()).not.toContain('shutdown took longer');
        expect(output()).toContain('its event loop is blocked');
        expect(output()).toMatch(new RegExp(`the main thread was running \\(\\d+ of 20 pauses\\):\\n[^]*?\\bat ${stuckIn} \\(file:`));
      } finally {
        child.kill('SIGKILL');
      }
    }, 30_000);
  }
});
