// One constant of the events lib: its package.json says sideEffects false, so the CLI bundle
// (`ports check` loads this lib) takes this constant, not the lib's contract schemas.
import { PROBE_HEADER } from '@hypernode/events';
import type { HealthSpec } from '@hypernode/ports';

/** What one probe found. `detail` says why when down, or what answered when up. */
export interface ProbeOutcome {
  up: boolean;
  detail: string;
}

/** Where to probe and for how long. */
export interface ProbeTarget {
  host: string;
  port: number;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listening)';
  if (e.message?.includes('aborted') || code === 'ABORT_ERR' || e.message?.includes('timeout')) return 'no answer before the timeout';
  return e.cause?.message ?? e.message ?? String(error);
}

// The clients the probes use, imported on first use (`ports check` loads this lib and never parses
// them) and then kept: one import per process, not one per probe. Under tsx every import() is a
// request to its loader thread, and a sweep on every POST /workflows/health-sweep/run made dozens
// a second; once (fault suite, sigterm-under-load, a fresh-clone CI) an engine SIGTERMed among
// them never finished exiting, with nothing logged — not reproduced in 8 runs here, so this is the
// likeliest cause removed, not a proven one.
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
const loadUndici = once(() => import('undici'));
const loadPg = once(() => import('pg'));
const loadIoredis = once(() => import('ioredis'));

// undici's `request`, not `fetch`: the engine sweeps every service every 2 s, and fetch's
// WHATWG layers cost it more CPU than every deploy step together (bench/cycle-breakdown.ts with a
// CPU profile).
async function probeHttp(path: string, t: ProbeTarget): Promise<ProbeOutcome> {
  const { request } = await loadUndici();
  try {
    // Marked as a probe: the services do not trace it (frontends are probed at `/`, a page path).
    // No redirect is followed (undici's request never does): a 3xx answers the probe.
    const res = await request(`http://${t.host}:${t.port}${path}`, { signal: AbortSignal.timeout(t.timeoutMs), headers: { [PROBE_HEADER]: 'health' } });
    // Read and dropped (up to undici's small limit, past which it closes): the connection is kept for the next sweep.
    await res.body.dump();
    return { up: res.statusCode < 400, detail: `HTTP ${res.statusCode} on ${path}` };
  } catch (error) {
    return { up: false, detail: reason(error) };
  }
}

async function probePostgres(t: ProbeTarget): Promise<ProbeOutcome> {
  const { default: pg } = await loadPg();
  const env = t.env ?? process.env;
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    user: env.PGUSER ?? 'postgres',
    database: env.PGDATABASE ?? 'postgres',
    password: env.PGPASSWORD,
    connectionTimeoutMillis: t.timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>('select version() as v');
    return { up: true, detail: rows[0]?.v.split(' on ')[0] ?? 'PostgreSQL' };
  } catch (error) {
    // A server-side error (bad role, password, database) still proves the server answers.
    const code = (error as { code?: string }).code;
    if (code && /^[0-9A-Z]{5}$/.test(code)) return { up: true, detail: `PostgreSQL answered: ${(error as Error).message}` };
    return { up: false, detail: reason(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(t: ProbeTarget): Promise<ProbeOutcome> {
  const { Redis } = await loadIoredis();
  const redis = new Redis({ host: t.host, port: t.port, lazyConnect: true, connectTimeout: t.timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // ioredis rejects connect() with a generic "Connection is closed."; the cause comes as an event.
  let cause: unknown;
  redis.on('error', (error) => (cause ??= error));
  try {
    await redis.connect();
    const pong = await redis.ping();
    return { up: pong === 'PONG', detail: `PING → ${pong}` };
  } catch (error) {
    // A server that asks for a password answered: it is up (as the PostgreSQL probe counts an auth refusal).
    const e = (cause ?? error) as Error;
    if (e?.name === 'ReplyError' && /^(NOAUTH|WRONGPASS)/.test(e.message)) return { up: true, detail: `answers (${e.message.split(' ')[0]}: a password is required)` };
    return { up: false, detail: reason(e) };
  } finally {
    redis.disconnect();
  }
}

async function probeSolana(t: ProbeTarget): Promise<ProbeOutcome> {
  const { request } = await loadUndici();
  try {
    const res = await request(`http://${t.host}:${t.port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getHealth' }),
      signal: AbortSignal.timeout(t.timeoutMs),
    });
    const body = (await res.body.json()) as { result?: string; error?: { message?: string } };
    return body.result === 'ok' ? { up: true, detail: 'getHealth → ok' } : { up: false, detail: `getHealth → ${body.error?.message ?? JSON.stringify(body)}` };
  } catch (error) {
    return { up: false, detail: reason(error) };
  }
}

/** Runs the probe the registry names for a service. */
export function probe(spec: HealthSpec, target: ProbeTarget): Promise<ProbeOutcome> {
  switch (spec.type) {
    case 'http':
      return probeHttp(spec.path, target);
    case 'postgres':
      return probePostgres(target);
    case 'redis':
      return probeRedis(target);
    case 'solana':
      return probeSolana(target);
  }
}
