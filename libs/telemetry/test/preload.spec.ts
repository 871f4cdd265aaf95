import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceSpan } from '@hypernode/events';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '@hypernode/testing';
import { otlpReceiver, TraceStore } from '../src/receiver.js';

const fixture = fileURLToPath(new URL('./traced-app.fixture.ts', import.meta.url));
let receiver: FastifyInstance;
let endpoint: string;
const store = new TraceStore();
let db: TestDatabase;
const redis = testRedisPrefix();
const children: ChildProcess[] = [];

beforeAll(async () => {
  receiver = Fastify();
  await receiver.register(otlpReceiver, { store });
  endpoint = await receiver.listen({ port: 0, host: '127.0.0.1' });
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await receiver?.close();
  await db?.drop();
  await redis.cleanup();
});

/** Starts the fixture as a real process (its own process group) and resolves its URL and output. */
async function startApp(env: NodeJS.ProcessEnv): Promise<{ url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', '@hypernode/telemetry/preload', fixture], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: redis.url, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture did not start within 20 s:\n${out}`)), 20_000);
    child.stdout!.on('data', () => {
      const m = /LISTENING (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`fixture exited ${code}:\n${out}`)));
  });
  return { url, output: () => out };
}

async function stopApp(): Promise<void> {
  const child = children.at(-1)!;
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the preload under tsx + ESM', () => {
  it('traces an http request with its pg, Redis and Fastify spans as children, logs carry the trace id, and /health is not traced', async () => {
    const app = await startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'fixture' });
    expect((await fetch(`${app.url}/health`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    expect((await fetch(`${app.url}/work`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    const spans = await waitFor('the /work trace', () => {
      const trace = store.list({ limit: 10 }).find((t) => t.rootName.includes('GET'));
      const spans = trace && store.spans(trace.traceId);
      return spans && spans.some((s) => s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql') ? spans : undefined;
    });
    await stopApp();
    const names = spans.map((s) => `${s.name}`);
    const server = spans.find((s) => !s.parentSpanId)!;
    expect(server.attributes['http.route'] ?? server.name).toMatch(/\/work/);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const ancestors = (s: TraceSpan) => {
      const chain: string[] = [];
      for (let p = s.parentSpanId && byId.get(s.parentSpanId); p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) chain.push(p.spanId);
      return chain;
    };
    const pgSpan = spans.find((s) => /postgres/.test(String(s.attributes['db.system'] ?? s.attributes['db.system.name'])) && /SELECT 1/.test(String(s.attributes['db.statement'] ?? s.attributes['db.query.text'] ?? s.name)))!;
    expect(pgSpan, names.join(', ')).toBeDefined();
    expect(ancestors(pgSpan)).toContain(server.spanId);
    const redisSpan = spans.find((s) => /redis/.test(String(s.attributes['db.system'] ?? s.attributes['db.system.name'])));
    expect(redisSpan, names.join(', ')).toBeDefined();
    expect(spans.every((s) => s.service === 'fixture')).toBe(true);
    // pino lines inside the request carry its trace id (the dashboard links them by it).
    expect(app.output()).toMatch(new RegExp(`"trace_id":"${server.traceId}".*"msg":"work done"|"msg":"work done".*"trace_id":"${server.traceId}"`));
    // No trace of the probe, nor of its pg query.
    const all = store.list({ limit: 500 }).flatMap((t) => store.spans(t.traceId)!);
    expect(all.filter((s) => /health/.test(s.name) || /SELECT 2/.test(String(s.attributes['db.statement'] ?? s.attributes['db.query.text'] ?? '')))).toEqual([]);
  });

  it('with the endpoint down, the app still serves and says so once', async () => {
    const before = store.size.spans;
    const app = await startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'fixture-down' });
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${app.url}/work`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 700));
    }
    await waitFor('the export failure line', () => (/tracing: cannot export spans/.test(app.output()) ? true : undefined), 10_000);
    await stopApp();
    expect(app.output().match(/tracing: cannot export spans/g)).toHaveLength(1);
    expect(store.size.spans).toBe(before);
  });

  it('without OTEL_EXPORTER_OTLP_ENDPOINT nothing is loaded or sent', async () => {
    const before = store.size.spans;
    const env = { ...process.env };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const app = await startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    expect((await fetch(`${app.url}/work`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    await stopApp();
    expect(app.output()).not.toMatch(/trace_id/);
    expect(store.size.spans).toBe(before);
  });
});
