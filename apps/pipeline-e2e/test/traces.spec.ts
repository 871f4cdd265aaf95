import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_ID_ATTRIBUTE, type TraceSpan } from '@hypernode/events';
import { createApiKey, createJoinToken } from '@hypernode/store';
import { otlpReceiver, TraceStore } from '@hypernode/telemetry/receiver';
import { createTestDatabase, freePort, testRedisPrefix, type TestDatabase } from '@hypernode/testing';

/**
 * One deployment, four real processes (api, realtime, automation, gpu-worker, each started as
 * its serve target starts it with tracing on: `node --import tsx --import
 * @hypernode/telemetry/preload src/main.ts`), exporting OTLP to a receiver in this test: the
 * deployment's path is ONE trace, POST → outbox → relay → realtime and POST → engine → worker.
 */

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// The developer's settings that would move a service off what this test gives it.
const INHERITED_OUT = /^(PORT|NODE_OPTIONS|DATABASE_URL|REDIS_URL|API_URL|HYPERNODE_.*|.*_PORT|API_.*|AUTOMATION_.*|GPU_WORKER_.*|REALTIME_.*|OTEL_.*|VITEST.*)$/;
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !INHERITED_OUT.test(k)));

interface Service {
  name: string;
  child: ChildProcess;
  output: string;
}

const services: Service[] = [];
const store = new TraceStore();
const redis = testRedisPrefix();
let receiver: FastifyInstance;
let db: TestDatabase;
let pool: pg.Pool;
let env: NodeJS.ProcessEnv;
let apiUrl: string;
let adminKey: string;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, detail: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts apps/<app> as its own process group with tracing on; resolves once GET /health answers (and `ready` agrees). */
async function startService(app: string, port: number, extra: NodeJS.ProcessEnv = {}, ready?: (body: Record<string, unknown>) => boolean): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', '@hypernode/telemetry/preload', 'src/main.ts'], {
    cwd: join(WORKSPACE, 'apps', app),
    env: { ...cleanEnv(), ...env, ...extra, OTEL_SERVICE_NAME: app },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: Service = { name: app, child, output: '' };
  services.push(service);
  child.stdout!.on('data', (d: Buffer) => (service.output += d));
  child.stderr!.on('data', (d: Buffer) => (service.output += d));
  await waitFor(
    `${app} /health on port ${port}`,
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${app} exited (${child.exitCode ?? child.signalCode}) while starting:\n${service.output}`);
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      if (!res?.ok) return undefined;
      return !ready || ready((await res.json()) as Record<string, unknown>) ? true : undefined;
    },
    90_000,
    () => service.output,
  );
  return service;
}

/** SIGTERM (the SDK flushes on a clean stop), then SIGKILL whatever is left after 8 s. */
async function stopAll(): Promise<void> {
  await Promise.all(
    services.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 8000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

beforeAll(async () => {
  receiver = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  await receiver.register(otlpReceiver, { store });
  const endpoint = await receiver.listen({ port: 0, host: '127.0.0.1' });
  db = await createTestDatabase();
  const [api, realtime, automation, worker, site, llm] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  apiUrl = `http://127.0.0.1:${api}`;
  env = {
    HYPERNODE_INSTANCE: '53', // this helper's slot: nothing derived from the registry lands on a stack's ports
    HYPERNODE_HOST: '127.0.0.1',
    API_PORT: String(api),
    REALTIME_PORT: String(realtime),
    AUTOMATION_PORT: String(automation),
    SITE_PORT: String(site),
    LLM_DEPLOYER_PORT: String(llm),
    GPU_WORKER_PORT: String(worker),
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    HYPERNODE_REDIS_PREFIX: redis.prefix,
    API_URL: apiUrl,
    AUTOMATION_RECONCILE_MS: '300',
    GPU_WORKER_HEARTBEAT_MS: '500',
    GPU_WORKER_JOB_MS: '1500',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  };
  // The api migrates the database; credentials are minted in it before the others start.
  await startService('api', api);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  adminKey = (await createApiKey(pool, { name: 'traces-e2e admin', scopes: ['admin'] })).key;
  env.HYPERNODE_JOIN_TOKEN = (await createJoinToken(pool, { uses: 10, ttlS: 3600 })).token;
  await Promise.all([startService('realtime', realtime), startService('automation', automation)]);
  await startService('gpu-worker', worker, { GPU_WORKER_NAME: `traces-${randomBytes(3).toString('hex')}`, GPU_WORKER_VRAM_GB: '80' }, (body) => typeof body.node === 'string');
}, 240_000);

afterAll(async () => {
  await stopAll();
  await pool?.end();
  await receiver?.close();
  await db?.drop();
  await redis.cleanup();
}, 60_000);

describe('traces of a deployment across the four Node services', () => {
  it('one trace holds POST → outbox → relay → realtime and POST → engine → worker, with spans of all four services', async () => {
    const res = await fetch(`${apiUrl}/deployments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ model: 'llama-3-8b', minVramGb: 8 }), signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    const logs = () => services.map((s) => `--- ${s.name}\n${s.output.slice(-3000)}`).join('\n');
    await waitFor(
      `deployment ${id} completed`,
      async () => ((await pool.query('SELECT status FROM deployments WHERE id = $1', [id])).rows[0]?.status === 'completed' ? true : undefined),
      60_000,
      logs,
    );

    // Spans arrive in batches (500 ms); the last ones: the worker's job and the fan-out of `completed`.
    const spans = await waitFor(
      'the whole trace at the receiver',
      () => {
        const traces = store.list({ deploymentId: id });
        if (traces.length !== 1) return undefined;
        const spans = store.spans(traces[0]!.traceId)!;
        const byId = new Map(spans.map((s) => [s.spanId, s]));
        const after = (s: TraceSpan, name: string) => {
          for (let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) if (p.name === name) return true;
          return false;
        };
        const done = spans.some((s) => s.name === 'gpu-worker job') && spans.some((s) => s.name === 'realtime fan-out deployment.updated' && after(s, 'gpu-worker report completed'));
        return done ? spans : undefined;
      },
      30_000,
      () => `${JSON.stringify(store.list({ limit: 20 }), null, 1)}\n${logs()}`,
    );
    const traces = store.list({ deploymentId: id });
    expect(traces).toHaveLength(1);
    expect(traces[0]!.services).toEqual(['api', 'automation', 'gpu-worker', 'realtime']);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    /** The span's ancestors, nearest first, as `service: name`. */
    const chain = (s: TraceSpan): string[] => {
      const out: string[] = [];
      for (let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) out.push(`${p.service}: ${p.name}`);
      return out;
    };
    const one = (service: string, name: string | RegExp) => {
      const found = spans.filter((s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)));
      expect(found.length, `${service}: ${String(name)} in\n${spans.map((s) => `${s.service}: ${s.name}`).join('\n')}`).toBeGreaterThan(0);
      return found[0]!;
    };
    const printed = (s: TraceSpan) => [`${s.service}: ${s.name}`, ...chain(s)].join(' ← ');

    // The root is the api's POST, tagged with the deployment.
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => `${s.service}: ${s.name}`)).toEqual(['api: POST /deployments']);
    expect(spans.some((s) => s.service === 'api' && s.attributes[DEPLOYMENT_ID_ATTRIBUTE] === id)).toBe(true);

    // POST → outbox insert → relay publish → realtime fan-out (deployment.created).
    const fanOut = one('realtime', 'realtime fan-out deployment.created');
    expect(chain(fanOut).slice(0, 2), printed(fanOut)).toEqual(['api: relay publish deployment.created', 'api: outbox insert']);
    expect(chain(fanOut).at(-1)).toBe('api: POST /deployments');

    // POST → engine schedule → BullMQ → engine dispatch → worker's POST /jobs → gpu-worker job → its reports.
    const job = one('gpu-worker', 'gpu-worker job');
    const jobChain = chain(job);
    expect(jobChain.at(-1), printed(job)).toBe('api: POST /deployments');
    const order = ['automation: engine schedule', 'automation: engine dispatch'].map((name) => jobChain.indexOf(name));
    expect(order.every((i) => i > 0) && order[0]! > order[1]!, printed(job)).toBe(true);
    expect(jobChain.some((n) => n.startsWith('gpu-worker: POST')), printed(job)).toBe(true);
    const completed = one('gpu-worker', 'gpu-worker report completed');
    expect(chain(completed)[0]).toBe('gpu-worker: gpu-worker job');

    // The worker's `completed` report goes on through the api's outbox and relay to realtime.
    const completedFanOut = spans.filter((s) => s.name === 'realtime fan-out deployment.updated' && chain(s).includes('gpu-worker: gpu-worker report completed'));
    expect(completedFanOut.length, spans.filter((s) => s.service === 'realtime').map(printed).join('\n')).toBe(1);
    expect(chain(completedFanOut[0]!)).toEqual(expect.arrayContaining(['api: relay publish deployment.updated', 'api: outbox insert', 'api: POST /deployments/:id/progress']));

    // pg and Redis calls appear inside the traced work; no probe was traced.
    expect(spans.some((s) => s.service === 'api' && /^pg\.query/.test(s.name))).toBe(true);
    const all = store.list({ limit: 500 }).flatMap((t) => store.spans(t.traceId)!);
    expect(all.filter((s) => /\/(health|ready)\b/.test(`${s.name} ${String(s.attributes['url.path'] ?? s.attributes['http.target'] ?? '')}`))).toEqual([]);
    // The outbox commit carries its events' data in its SQL text (escaped, one round trip): no span may copy it.
    expect(all.filter((s) => Object.values(s.attributes).some((v) => typeof v === 'string' && v.includes('INSERT INTO events') && v.includes(id))).map(printed)).toEqual([]);
    expect(spans.some((s) => s.name === 'outbox insert')).toBe(true);
    console.log(`trace ${traces[0]!.traceId}: ${spans.length} spans over ${traces[0]!.services.join(', ')}; ${Math.round(traces[0]!.durationMs)} ms; ${store.size.traces} traces received in all`);
  }, 120_000);
});
