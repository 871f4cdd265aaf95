import { once } from 'node:events';
import pg from 'pg';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { HypernodeEvent } from '@hypernode/events';
import { createApiKey, createJoinToken, createSignInToken, migrate } from '@hypernode/store';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '@hypernode/testing';
import { buildApp as buildApi } from '@hypernode/api/src/app.js';
import { loadConfig } from '@hypernode/api/src/config.js';
import { startRelay, type OutboxRelay } from '@hypernode/api/src/relay.js';
import { buildApp as buildWorkerApp } from '@hypernode/gpu-worker/src/app.js';
import { ApiClient } from '@hypernode/gpu-worker/src/api-client.js';
import { GpuWorker } from '@hypernode/gpu-worker/src/worker.js';
import { loadRealtimeConfig } from '@hypernode/realtime/src/config.js';
import { createRealtimeServer, type RealtimeServer } from '@hypernode/realtime/src/server.js';
import { loadAutomationConfig, type AutomationConfig } from '@hypernode/automation/src/config.js';
import { startEngine, type Engine } from '@hypernode/automation/src/engine.js';

/** The subprotocols a script's WebSocket offers: the key rides in `hypernode.bearer.<key>`, never in the URL. */
export const wsProtocols = (key: string) => ['hypernode.v1', `hypernode.bearer.${key}`];

const keys = testRedisPrefix();
let db: TestDatabase;
let pool: pg.Pool;
let redis: Redis;
let apiUrl: string;
let wsUrl: string;
let relay: OutboxRelay;
let realtime: RealtimeServer;
let automationConfig: AutomationConfig;
/** The admin key every scripted call of the test sends (minted in the test database). */
let adminKey: string;
/** The join token the test's GPU workers register with. */
let joinToken: string;
const closers: Array<() => Promise<unknown>> = [];

async function listen(app: { listen(o: object): Promise<string> }): Promise<string> {
  return (await app.listen({ port: 0, host: '127.0.0.1' })).replace('[::1]', '127.0.0.1');
}

/** The backend's public URLs use `localhost` (bound on both loopbacks), the frontends' host too: the session cookie is then same-site. */
const onLocalhost = (url: string) => url.replace(/\/\/(127\.0\.0\.1|\[::1\])(?=:)/, '//localhost');

/** A GPU worker (simulated GPU, real service) on a free port, registered with the api. */
async function startWorker(name: string, vramGb: number, extra: { jobMs?: number; failAtPercent?: number; gpuModel?: string } = {}): Promise<GpuWorker> {
  const config = { apiUrl, joinToken, name, gpuModel: extra.gpuModel ?? 'SIM-A100', vramGb, jobMs: extra.jobMs ?? 1500, failAtPercent: extra.failAtPercent, heartbeatMs: 300 };
  const worker = new GpuWorker(config, new ApiClient(apiUrl));
  const app = buildWorkerApp({ worker });
  await worker.start(await listen(app));
  closers.push(async () => {
    await worker.shutdown();
    await app.close();
  });
  return worker;
}

async function startAutomation(): Promise<Engine> {
  const engine = await startEngine(automationConfig, pool);
  return engine;
}

/** A WebSocket client on the deployments topic that records every deployment event. */
async function watchDeployments() {
  const socket = new WebSocket(wsUrl, wsProtocols(adminKey));
  const events: HypernodeEvent[] = [];
  socket.on('message', (d) => {
    const frame = JSON.parse(d.toString());
    if (frame.type === 'event') events.push(frame.event);
  });
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'subscribe', topics: ['deployments'] }));
  closers.push(async () => socket.terminate());
  const statusesOf = (id: string): string[] => events.filter((e) => 'deployment' in e.data && e.data.deployment.id === id).map((e) => ('deployment' in e.data ? e.data.deployment.status : ''));
  const until = async (id: string, status: string, ms = 30_000) => {
    for (const end = Date.now() + ms; Date.now() < end && !statusesOf(id).includes(status); ) await new Promise((r) => setTimeout(r, 50));
    if (!statusesOf(id).includes(status)) throw new Error(`deployment ${id} never reached ${status}; saw ${statusesOf(id).join(' → ')}`);
  };
  /** Waits until `status` appears again after the first `after`. */
  const untilAfter = async (id: string, after: string, status: string, ms = 30_000) => {
    const seen = () => statusesOf(id).lastIndexOf(status) > statusesOf(id).indexOf(after) && statusesOf(id).includes(after);
    for (const end = Date.now() + ms; Date.now() < end && !seen(); ) await new Promise((r) => setTimeout(r, 50));
    if (!seen()) throw new Error(`deployment ${id} never went ${after} → ${status}; saw ${statusesOf(id).join(' → ')}`);
  };
  return { events, statusesOf, until, untilAfter };
}

/** POSTs as the admin key unless `headers` brings its own authorization. */
const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
  const res = await fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}`, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { id: string } & Record<string, unknown> };
};
const completedEvents = async (id: string) =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'deployment.updated' AND data->'deployment'->>'id' = $1 AND data->'deployment'->>'status' = 'completed'`, [id])).rows[0]!.n;

/**
 * The whole backend in this process, on free ports, with its own database and Redis prefix:
 * api (+ outbox relay), realtime, and on demand automation engines and GPU workers (the GPU
 * simulated, the service real). `browserOrigins` lets a test's frontend through CORS and the
 * WebSocket Origin check. Credentials are minted in the test database with the store's own
 * functions: an admin key for scripted calls, a join token for the workers, sign-in tokens on demand.
 */
export async function startBackend(options: { browserOrigins?: string[] } = {}) {
  db = await createTestDatabase();
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined); // dropping the test database ends idle connections
  redis = new Redis(keys.url);
  adminKey = (await createApiKey(pool, { name: 'pipeline-e2e admin', scopes: ['admin'] })).key;
  joinToken = (await createJoinToken(pool, { uses: 100, ttlS: 3600 })).token;
  const apiConfig = { ...loadConfig({}), databaseUrl: db.url, redisUrl: keys.url, redisPrefix: keys.prefix, corsOrigins: [...loadConfig({}).corsOrigins, ...(options.browserOrigins ?? [])] };
  let api = buildApi({ config: apiConfig, pool, redis });
  // 'localhost': Fastify binds 127.0.0.1 and ::1, as the development profile does.
  apiUrl = onLocalhost(await api.listen({ port: 0, host: 'localhost' }));
  const apiPort = Number(new URL(apiUrl).port);
  relay = startRelay({ pool, redis, prefix: keys.prefix, intervalMs: 20 });
  realtime = createRealtimeServer({ ...loadRealtimeConfig({}), apiUrl, redisUrl: keys.url, redisPrefix: keys.prefix, allowedOrigins: [...loadRealtimeConfig({}).allowedOrigins, ...(options.browserOrigins ?? [])] });
  await realtime.listen(0, 'localhost');
  wsUrl = `ws://localhost:${(realtime.http.address() as { port: number }).port}`;
  automationConfig = { ...loadAutomationConfig({}, db.url), apiUrl, redisUrl: keys.url, redisPrefix: keys.prefix, reconcileMs: 200, watchdogMs: 300, nodeStaleS: 1, followMs: 50 };
  closers.push(async () => api.close());
  /** Stops the api's HTTP side (the outbox relay keeps running), as when the process dies. */
  const stopApi = () => api.close();
  /** Starts it again on the same port. */
  const startApi = async () => {
    api = buildApi({ config: apiConfig, pool, redis });
    await api.listen({ port: apiPort, host: 'localhost' });
  };
  return {
    get apiUrl() {
      return apiUrl;
    },
    get wsUrl() {
      return wsUrl;
    },
    pool,
    realtime,
    /** The admin key `post` sends (scripted calls, WebSocket subprotocol). */
    adminKey,
    /** The join token workers register with (POST /nodes with Authorization: Bearer hnj_…). */
    joinToken,
    /** A one-time sign-in token (`hnt_…`, admin), as `npm start` prints in its sign-in URL. */
    signInToken: () => createSignInToken(pool, { scopes: ['admin'] }),
    apiPort,
    stopApi,
    startApi,
    post,
    startWorker,
    startAutomation,
    watchDeployments,
    completedEvents,
    /** Runs `close` when the backend closes (for what a failing test leaves open). */
    onClose: (close: () => Promise<unknown>) => void closers.push(close),
    close: async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      await relay.stop();
      await realtime.close();
      await pool.end();
      redis.disconnect();
      await db.drop();
      await keys.cleanup();
    },
  };
}

/** A running test backend. */
export type Backend = Awaited<ReturnType<typeof startBackend>>;
