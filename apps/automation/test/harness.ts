import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createTestDatabase, testRedisPrefix } from '@hypernode/testing';
import { migrate, registerNode, transitionDeployment } from '@hypernode/store';
import { loadAutomationConfig, type AutomationConfig } from '../src/config.js';
import { startEngine, type Engine } from '../src/engine.js';

/** Polls `check` every 25 ms until it returns a truthy value, at most `ms`; throws naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** How a fake worker behaves: refuse every job, listen on another loopback address. */
export interface FakeWorkerBehaviour {
  refuse?: { status: number; body: string };
  /** Address to listen on (default 127.0.0.1); 127.0.0.2 is loopback too, but another host to the host rule. */
  host?: string;
}

/**
 * A fake but real GPU worker on port 0 that wants `secret` (set it to the node's dispatch
 * secret once registered): POST /jobs takes any job
 * (202) and, like the real worker, reports it running at once; GET /jobs/:id answers 200 while
 * it holds the job; both 401 without `Bearer <secret>`. Every request is recorded.
 */
export async function startFakeWorker(pool: pg.Pool, behaviour: FakeWorkerBehaviour = {}) {
  const jobs = new Set<string>();
  const requests: Array<{ method: string; url: string; authorization: string | undefined }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (!fake.secret || req.headers.authorization !== `Bearer ${fake.secret}`) return res.writeHead(401).end('{"message":"wrong dispatch secret"}');
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
  const host = behaviour.host ?? '127.0.0.1';
  server.listen(0, host);
  await once(server, 'listening');
  const url = `http://${host}:${(server.address() as { port: number }).port}/`;
  const fake = { url, jobs, secret: '', requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  return fake;
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
  const config: AutomationConfig = { ...loadAutomationConfig({}, db.url), redisUrl: keys.url, redisPrefix: keys.prefix, ...overrides };
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
    /** A node of `vramGb` served by a fake worker, with that worker's dispatch secret stored as the api stores it. */
    addNode: async (name: string, vramGb: number, behaviour?: FakeWorkerBehaviour) => {
      const worker = await startFakeWorker(pool, behaviour);
      closers.push(worker.close);
      const { node, dispatchSecret } = await registerNode(pool, { name, gpuModel: 'SIM-A100', vramGb, workerUrl: worker.url });
      worker.secret = dispatchSecret;
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
