import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { findListeners, describeHolders } from '@hypernode/port-inspect';
import type { SupervisedSpec } from '../src/supervisor.js';

export const FIXTURE = fileURLToPath(new URL('./fixture-service.mjs', import.meta.url));

/** A port the OS hands out as free right now (port 0), for one fixture service. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A supervised fixture service on `port`. */
export function fixtureSpec(name: string, port: number, env: NodeJS.ProcessEnv = {}): SupervisedSpec {
  return {
    name,
    kind: 'http',
    port,
    endpoints: [{ name: 'http', url: `http://localhost:${port}` }],
    probe: { host: '127.0.0.1', port, healthPath: '/health', ready: true },
    launch: () => ({ command: process.execPath, args: [FIXTURE], cwd: process.cwd(), env: { ...process.env, PORT: String(port), FIXTURE_NAME: name, ...env } }),
  };
}

export function portHolder(port: number): string | undefined {
  const holders = findListeners([port]).get(port);
  return holders && holders.length > 0 ? describeHolders(holders) : undefined;
}

/** Polls `check` every 50 ms until it returns a value or `ms` pass (then throws naming `what`). */
export async function until<T>(what: string, ms: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
