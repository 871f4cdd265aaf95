import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '@hypernode/testing';
import { onExit } from './cleanup.js';
import { FaultsHarnessError, waitFor } from './wait.js';

/** A redis-server with no persistence on a spare port: a restart loses every key. */
export interface RedisServer {
  port: number;
  url(port?: number): string;
  /** SIGTERM (or SIGKILL with `kill`), then waits for the exit. */
  stop(kill?: boolean): Promise<void>;
  /** Starts again on the same port, empty. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** Starts redis-server (`--save "" --appendonly no`) on a spare port. */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hn-faults-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = (p = port) => `redis://127.0.0.1:${p}`;
  const server: RedisServer = {
    port,
    url,
    start: async () => {
      const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
      child = started;
      started.on('error', () => undefined);
      const forget = onExit(() => started.kill('SIGKILL'));
      started.once('exit', forget);
      await waitFor(
        'redis-server to answer PING',
        async () => {
          if (started.exitCode !== null) throw new FaultsHarnessError(`redis-server exited with ${started.exitCode} (log ${dir}/redis.log)`);
          const probe = new Redis(url(), { lazyConnect: true, retryStrategy: () => null, connectTimeout: 500, maxRetriesPerRequest: 0 });
          probe.on('error', () => undefined);
          try {
            await probe.connect();
            return (await probe.ping()) === 'PONG';
          } finally {
            probe.disconnect();
          }
        },
        10_000,
        50,
      );
    },
    stop: async (kill = false) => {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill(kill ? 'SIGKILL' : 'SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    destroy: async () => {
      await server.stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
