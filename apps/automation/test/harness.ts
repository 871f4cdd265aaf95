import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createTestDatabase, testRedisPrefix } from '@hypernode/testing';
import { migrate, registerNode, transitionDeployment } from '@hypernode/store';
import { loadAutomationConfig, type AutomationConfig } from '../src/config.js';
import { startEngine, type Engine } from '../src/engine.js';

/** The worker token test engines show fake workers. */
export const TOKEN = 'automation-test-token-0123456789';

/** Polls `check` every 25 ms until it returns a truthy value, at most `ms`; throws naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A fake but real GPU worker on port 0: POST /jobs takes any job (202) and, like the real
 * worker, reports it running at once; GET /jobs/:id answers 200 while it holds the job.
 */
export async function startFakeWorker(pool: pg.Pool, behaviour: { refuse?: { status: number; body: string } } = {}) {
  const jobs = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method === 'POST' && req.url === '/jobs') {
          if (behaviour.refuse) return res.writeHead(behaviour.refuse.status).end(behaviour.refuse.body);
          const { deploymentId } = JSON.parse(Buffer.concat(chunks).toString()) as { deploymentId: string };
          const repeat = jobs.has(deploymentId);
          jobs.add(deploymentId);
          res.writeHead(repeat ? 200 : 202, { 'content-type': 'application/json' }).end(JSON.stringify({ outcome: repeat ? 'duplicate' : 'accepted', deploymentId }));
          if (!repeat) await transitionDeployment(pool, deploymentId, 'running', { progress: 1 }).catch(() => undefined);
          return;
        }
        const id = /^\/jobs\/([^/]+)$/.exec(req.url ?? '')?.[1];
        if (req.method === 'GET' && id) return res.writeHead(jobs.has(id) ? 200 : 404).end('{}');
        res.writeHead(404).end();
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  return { url, jobs, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * An automation engine on its own database and Redis prefix (migrated, empty), with helpers
 * to add nodes backed by fake workers; `close()` removes everything it made.
 */
export async function startTestEngine(overrides: Partial<AutomationConfig> = {}) {
  const db = await createTestDatabase();
  const keys = testRedisPrefix();
  await migrate(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined); // dropping the test database ends idle connections
  const redis = new Redis(keys.url);
  const config: AutomationConfig = { ...loadAutomationConfig({}, db.url), redisUrl: keys.url, redisPrefix: keys.prefix, workerToken: TOKEN, ...overrides };
  const closers: Array<() => Promise<unknown>> = [];
  let engine: Engine | undefined;
  return {
    pool,
    redis,
    config,
    prefix: keys.prefix,
    /** Starts the engine (once). */
    start: async () => (engine ??= await startEngine(config, pool)),
    get engine() {
      return engine;
    },
    /** A node of `vramGb` served by a fake worker. */
    addNode: async (name: string, vramGb: number, behaviour?: Parameters<typeof startFakeWorker>[1]) => {
      const worker = await startFakeWorker(pool, behaviour);
      closers.push(worker.close);
      const node = await registerNode(pool, { name, gpuModel: 'SIM-A100', vramGb, workerUrl: worker.url });
      return { node, worker };
    },
    statusOf: async (id: string) => (await pool.query<{ status: string; error: string | null; node_id: string | null }>('SELECT status, error, node_id FROM deployments WHERE id = $1', [id])).rows[0]!,
    close: async () => {
      await engine?.close(true);
      for (const close of closers.reverse()) await close().catch(() => undefined);
      redis.disconnect();
      await pool.end();
      await db.drop();
      await keys.cleanup();
    },
  };
}

/** A running test engine. */
export type TestEngine = Awaited<ReturnType<typeof startTestEngine>>;
