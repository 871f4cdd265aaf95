import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SupervisedService, SupervisorServices, TraceDetail, TraceSpan, TraceSummary } from '@hypernode/events';
import { LogQueryError, LogStore, parseLogQuery, STREAM_BATCH_MS, streamLogs, type RawLogQuery } from '@hypernode/supervisor';

// The supervisor's side of the dashboard contract (libs/events/src/dashboard.ts) for the log
// view's frame-time test: the supervisor's own LogStore parses and numbers the lines, and its
// own `streamLogs` serves `WS /logs/stream` (batches every 50 ms, skips for a lagging client). What it does not do is run services: their output is
// written into the store at a chosen rate (no service prints 10,000 lines/s on two shared cores
// without starving the browser, and the figure is the page's cost, not the services').

export const SOURCE_SERVICES = ['api', 'automation', 'gpu-worker'] as const;
/** Follow steps of the served trace: 3 spans each, ~400 spans in all (what a deployment's trace holds). */
export const TRACE_STEPS = 133;

/**
 * How late each service's own timestamps are when its line is read (stdout buffering, pino's
 * async destination): lines of one batch come out of time order across services.
 */
const LAG_MS: Record<(typeof SOURCE_SERVICES)[number], number> = { api: 2, automation: 25, 'gpu-worker': 45 };

function service(name: string, startedAt: string): SupervisedService {
  return { name, kind: 'http', state: 'ready', detail: '/ready answers', exitCode: null, exitSignal: null, restarts: 0, pid: process.pid, startedAt, endpoints: [], cpuPercent: 0, memoryBytes: 0, errorCount: 0, warnCount: 0 };
}

/**
 * The n-th raw output line of a service at `now`: two in three are pino JSON (a request log with
 * nested fields, its own `time`), one in three an ANSI-coloured plain line (read time).
 */
export function rawLine(name: string, n: number, now: number): string {
  const time = now - LAG_MS[name as keyof typeof LAG_MS] - (n % 3);
  switch (n % 6) {
    case 0:
      return `\u001b[32m✔\u001b[39m ${name} follow step ${n} \u001b[2m(${n % 97} ms)\u001b[22m \u001b[1m\u001b[36mdone\u001b[39m\u001b[22m`;
    case 3:
      return `\u001b[33mwarn\u001b[39m ${name}: slow query ${n} took \u001b[31m${(n % 800) + 200} ms\u001b[39m`;
    default:
      return JSON.stringify({
        level: n % 50 === 1 ? 40 : 30,
        time,
        pid: 4242,
        hostname: 'bench',
        reqId: `req-${n.toString(36)}`,
        req: { method: 'GET', url: `/deployments?limit=100&n=${n}`, remoteAddress: '127.0.0.1' },
        res: { statusCode: 200 },
        responseTime: (n % 1000) / 10,
        msg: 'request completed',
      });
  }
}

/** The trace the source serves: a deployment as the engine runs it, the POST, the job, `steps` follow steps with two queries each, the worker. */
export function deploymentTrace(steps: number, at = Date.now()): TraceDetail {
  const traceId = 'f'.repeat(32);
  const span = (spanId: string, parentSpanId: string | undefined, service: string, name: string, start: number, ms: number): TraceSpan => ({ traceId, spanId: spanId.padStart(16, '0'), parentSpanId: parentSpanId?.padStart(16, '0'), service, name, start: at + start, end: at + start + ms, status: 'ok', attributes: {} });
  return {
    traceId,
    spans: [
      span('1', undefined, 'api', 'POST /deployments', 0, 8),
      span('2', '1', 'automation', 'deployment job', 10, steps * 10 + 80),
      ...Array.from({ length: steps }, (_, i) => [span(`a${i}`, '2', 'automation', 'follow step', 20 + i * 10, 6), span(`b${i}`, `a${i}`, 'automation', 'pg.query SELECT', 21 + i * 10, 2), span(`c${i}`, `a${i}`, 'automation', 'pg.query UPDATE', 24 + i * 10, 2)]).flat(),
      span('3', '2', 'gpu-worker', 'POST /jobs', steps * 10 + 40, 30),
    ],
    logs: [],
  };
}

export interface BurstResult {
  /** Lines written into the store (all services). */
  written: number;
  /** Lines sent to stream clients that wanted them, and lines skipped for a lagging client. */
  sent: number;
  skipped: number;
  /** Lines written older than a line written before them (what the view must place by time). */
  late: number;
  /** When the first and the last line were written (ms since epoch). */
  began: number;
  ended: number;
}

export interface LogSource {
  url: string;
  store: LogStore;
  /** Stream clients connected now (the logs view's and the state socket of useSupervisor). */
  clients: () => number;
  /** Writes `rate` lines/s, the three services interleaved, for `seconds`; resolves when done. */
  burst: (rate: number, seconds: number) => Promise<BurstResult>;
  close: () => Promise<void>;
}

/** Starts the log source on a free loopback port; `origin` is the site's (CORS with credentials). */
export async function startLogSource(origin: string): Promise<LogSource> {
  const store = new LogStore();
  const startedAt = new Date().toISOString();
  const names = [...SOURCE_SERVICES];
  const trace = deploymentTrace(TRACE_STEPS);
  let sent = 0;
  let skipped = 0;

  const cors = (res: ServerResponse) => {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'origin');
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    cors(res);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const query = (req: IncomingMessage): RawLogQuery => Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams) as RawLogQuery;

  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    try {
      if (req.method === 'OPTIONS') {
        cors(res);
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        return void res.writeHead(204).end();
      }
      if (path === '/health') return json(res, 200, { status: 'ok', service: 'supervisor' });
      if (path === '/services') return json(res, 200, { instance: 0, checkout: process.cwd(), services: names.map((n) => ({ ...service(n, startedAt), ...store.counts(n) })) } satisfies SupervisorServices);
      if (path === '/logs') return json(res, 200, store.query(parseLogQuery(query(req), names)));
      if (path === '/traces') {
        const summary: TraceSummary = { traceId: trace.traceId, rootName: 'POST /deployments', services: ['api', 'automation', 'gpu-worker'], start: trace.spans[0]!.start, durationMs: 500, spanCount: trace.spans.length, error: false };
        return json(res, 200, { traces: [summary] });
      }
      if (path === `/traces/${trace.traceId}`) return json(res, 200, trace);
      json(res, 404, { statusCode: 404, error: 'Not Found', message: `${req.method} ${path} is not served by this log source` });
    } catch (error) {
      json(res, error instanceof LogQueryError ? 400 : 500, { statusCode: 400, error: 'Bad Request', message: (error as Error).message });
    }
  });

  const wss = new WebSocketServer({ server: http, path: '/logs/stream' });
  wss.on('connection', (socket: WebSocket, req) =>
    streamLogs(socket, {
      store,
      names,
      query: query(req),
      onBatch: (s, k) => {
        sent += s;
        skipped += k;
      },
    }),
  );

  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const url = `http://localhost:${(http.address() as AddressInfo).port}`;

  const burst = async (rate: number, seconds: number): Promise<BurstResult> => {
    const sentBefore = sent;
    const skippedBefore = skipped;
    const began = Date.now();
    const total = Math.round(rate * seconds);
    let written = 0;
    let late = 0;
    let newest = 0;
    // Written every 5 ms by elapsed time, not by tick count: a late timer writes what is due, so
    // the rate holds however loaded the machine is (as a real service's pipe fills meanwhile).
    while (written < total) {
      const due = Math.min(total, Math.floor(((Date.now() - began) / 1000) * rate));
      const now = Date.now();
      for (; written < due; written++) {
        const name = SOURCE_SERVICES[written % SOURCE_SERVICES.length]!;
        const raw = rawLine(name, written, now);
        const line = store.append(name, 0, written % 7 === 5 ? 'stderr' : 'stdout', raw, now);
        if (line.time < newest) late++;
        else newest = line.time;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const ended = Date.now();
    // The last batch goes out with the next stream tick.
    await new Promise((r) => setTimeout(r, STREAM_BATCH_MS * 3));
    return { written, sent: sent - sentBefore, skipped: skipped - skippedBefore, late, began, ended };
  };

  return {
    url,
    store,
    clients: () => wss.clients.size,
    burst,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((r) => wss.close(r));
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}
