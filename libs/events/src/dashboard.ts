/**
 * The dashboard contract: what the supervisor (`hypernode up`, registry service `supervisor`)
 * serves to the site's dashboard. The supervisor owns the app processes of a stack; a stack run
 * by a bare `nx run-many -t serve` has no supervisor, and the dashboard then shows health only,
 * without logs or actions.
 *
 * HTTP (base: the registry's `supervisor` URL; CORS for the registry frontends with credentials;
 * the api's own credentials — `hn_session` cookie or `Authorization: Bearer hn_…` — checked by the
 * same store functions the api uses; reads need `read`, actions `admin`):
 *   GET  /health                                  liveness, no auth
 *   GET  /services                                → SupervisorServices
 *   POST /services/:name/restart | stop | start   → SupervisedService (202), admin
 *   GET  /logs?services=a,b&q=text|/re/i&level=warn&limit=500&before=<seq>  → LogPage (newest last)
 *   GET  /logs/download?services=a,b&q=…&level=…  → text/plain (NDJSON of LogLine), attachment
 *   WS   /logs/stream?services=a,b&level=…        → LogStreamFrame frames (JSON text)
 *   POST /v1/traces                               OTLP/HTTP traces (JSON or protobuf), from the services
 *   GET  /traces?deploymentId=<uuid>|traceId=<hex>&limit=50 → TraceList
 *   GET  /traces/:traceId                         → TraceDetail (spans + the log lines with that trace id)
 */

/** Where a supervised service is in its life. */
export type SupervisedState = 'starting' | 'ready' | 'unhealthy' | 'crashed' | 'stopped';

/** One registry service as the supervisor sees it. */
export interface SupervisedService {
  name: string;
  kind: string;
  state: SupervisedState;
  /** Why: the dependency an unhealthy service waits on (from its `/ready`), the exit of a crashed one. */
  detail: string;
  /** Dependency named by `/ready` when unhealthy (`postgres`, `redis`, `api`, …). */
  dependency?: string;
  /** Exit code of the last run (null while running or when it ended by a signal). */
  exitCode: number | null;
  exitSignal: string | null;
  /** Times the supervisor started it again after the first start (on request or after a crash). */
  restarts: number;
  pid: number | null;
  /** ISO time the current run started; null when not running. */
  startedAt: string | null;
  /** Browser-facing endpoints: the app's public URL (from the registry), plus `/docs` etc. when the app has them. */
  endpoints: { name: string; url: string }[];
  /** Of the whole process tree of the service; null when not running. */
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** Counts over the buffered lines (all runs kept), for the error/warn badges. */
  errorCount: number;
  warnCount: number;
}

export interface SupervisorServices {
  instance: number;
  checkout: string;
  services: SupervisedService[];
}

/** Pino's levels by name; plain lines are `info`, stderr lines with no level `warn`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** One line a service printed, parsed. */
export interface LogLine {
  /** Increasing over the whole supervisor (all services): a cursor for paging and the stream. */
  seq: number;
  service: string;
  /** Which run of the service printed it (0 = first start; +1 per restart). */
  run: number;
  /** ms since epoch: pino's `time` when the line had one, else when it was read. */
  time: number;
  level: LogLevel;
  /** pino `msg`, else the raw line (ANSI escapes kept: the client renders them). */
  message: string;
  /** pino fields other than time/level/msg/pid/hostname; undefined for plain lines. */
  fields?: Record<string, unknown>;
  stream: 'stdout' | 'stderr';
  /** pino `trace_id` / `traceId` when present (OpenTelemetry's pino instrumentation adds it). */
  traceId?: string;
}

export interface LogPage {
  lines: LogLine[];
  /** True when older matching lines exist before `lines[0]` (page with `before=lines[0].seq`). */
  more: boolean;
  /** Lines dropped from the capped buffer so far (per service buffer cap: 20,000 lines). */
  dropped: number;
}

/** Frames of `WS /logs/stream`. `lines` come batched (at most every 50 ms). */
export type LogStreamFrame =
  | { type: 'lines'; lines: LogLine[] }
  | { type: 'state'; service: SupervisedService }
  | { type: 'error'; message: string };

/** One span as the dashboard draws it. */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** `service.name` resource attribute. */
  service: string;
  /** ms since epoch (fractional). */
  start: number;
  end: number;
  status: 'ok' | 'error' | 'unset';
  attributes: Record<string, string | number | boolean>;
}

export interface TraceSummary {
  traceId: string;
  rootName: string;
  services: string[];
  start: number;
  durationMs: number;
  spanCount: number;
  deploymentId?: string;
  error: boolean;
}

export interface TraceList {
  traces: TraceSummary[];
}

export interface TraceDetail {
  traceId: string;
  spans: TraceSpan[];
  logs: LogLine[];
}

/** Span attribute naming the deployment a span worked on (set by our own spans). */
export const DEPLOYMENT_ID_ATTRIBUTE = 'hypernode.deployment.id';

/** Header the supervisor's probes carry: the services do not trace a request that has it. */
export const PROBE_HEADER = 'x-hypernode-probe';
