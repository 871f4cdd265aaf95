import { withAuth } from './credentials.js';

/** One HTTP request the load sends. */
export interface LoadRequest {
  /** Label for grouping (e.g. `GET /deployments`). */
  route: string;
  url: string;
  method?: string;
  body?: unknown;
  /** Sent over the stack's admin key; an `authorization` here replaces it (undefined: none at all). */
  headers?: Record<string, string | undefined>;
}

/** What happened to one request; `status` 0 means no HTTP answer (error or timeout). */
export interface LoadSample {
  route: string;
  /** performance.now() when sent. */
  sentAt: number;
  latencyMs: number;
  status: number;
  /** Why there was no answer (`timeout`, `ECONNREFUSED`, `empty reply`…). */
  error?: string;
  body?: unknown;
  /** fixedRateLoad: the `i` its request was made from (`next(i)`). */
  index?: number;
}

/** A fixed-rate load in progress. */
export interface RunningLoad {
  samples: LoadSample[];
  /** Stops sending; resolves once every request in flight has its answer or timed out. */
  stop(): Promise<LoadSample[]>;
  /** Resolves when the duration has passed and every request is settled. */
  done: Promise<LoadSample[]>;
}

/** Sends one request bounded by `timeoutMs`, timing it. */
export async function timedFetch(request: LoadRequest, timeoutMs: number): Promise<LoadSample> {
  const sentAt = performance.now();
  try {
    const res = await fetch(request.url, {
      method: request.method ?? 'GET',
      headers: withAuth(request.body === undefined ? request.headers : { 'content-type': 'application/json', ...request.headers }),
      body: request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { route: request.route, sentAt, latencyMs: performance.now() - sentAt, status: res.status, body };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { route: request.route, sentAt, latencyMs: performance.now() - sentAt, status: 0, error: reason };
  }
}

/**
 * Sends `rate` requests per second for `durationMs` (setInterval ticks, catching up on late
 * ticks so the rate holds), each from `next(i)` and bounded by `timeoutMs`.
 */
export function fixedRateLoad(options: { rate: number; durationMs: number; timeoutMs: number; next: (i: number) => LoadRequest }): RunningLoad {
  const samples: LoadSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let sent = 0;
  let stopped = false;
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const tick = () => {
    const due = Math.min(Math.floor(((performance.now() - t0) / 1000) * options.rate), Math.floor((options.durationMs / 1000) * options.rate));
    while (!stopped && sent < due) {
      const index = sent++;
      const p = timedFetch(options.next(index), options.timeoutMs).then((s) => void samples.push({ ...s, index }));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    if (stopped || performance.now() - t0 >= options.durationMs) {
      stopped = true;
      clearInterval(timer);
      finish();
    }
  };
  const timer = setInterval(tick, Math.max(5, Math.min(50, 1000 / options.rate)));
  const settle = async () => {
    await ended;
    await Promise.all([...inFlight]);
    return samples.sort((a, b) => a.sentAt - b.sentAt);
  };
  const done = settle();
  return {
    samples,
    done,
    stop: () => {
      stopped = true;
      tick();
      return done;
    },
  };
}

/** Figures of a set of samples: count, ok share, latency percentiles. */
export function summarize(samples: LoadSample[], ok: (s: LoadSample) => boolean = (s) => s.status >= 200 && s.status < 400) {
  const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length === 0 ? 0 : Math.round(latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!));
  const good = samples.filter(ok).length;
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status === 0 ? (s.error ?? 'error') : String(s.status)] = (statuses[s.status === 0 ? (s.error ?? 'error') : String(s.status)] ?? 0) + 1;
  return { n: samples.length, ok: good, okPct: samples.length === 0 ? 100 : Math.round((good / samples.length) * 10_000) / 100, p50: pct(50), p99: pct(99), max: pct(100), statuses };
}

/**
 * Sends every request of `next(i)` for i < `count`, `concurrency` at a time, each bounded by
 * `timeoutMs`; resolves with every sample once all are settled. Requests are made lazily and
 * kept (as `request`) only where `keep` says so, so large generated bodies never pile up.
 */
export async function runConcurrently(options: { count: number; concurrency: number; timeoutMs: number; next: (i: number) => LoadRequest; keep?: (s: LoadSample) => boolean }): Promise<Array<LoadSample & { request?: LoadRequest }>> {
  const samples: Array<LoadSample & { request?: LoadRequest }> = [];
  let i = 0;
  const worker = async () => {
    while (i < options.count) {
      const request = options.next(i++);
      const sample = await timedFetch(request, options.timeoutMs);
      samples.push(options.keep?.(sample) ? { ...sample, request } : { ...sample, body: undefined });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
  return samples;
}
