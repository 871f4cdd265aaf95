import type { IncomingMessage } from 'node:http';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { tracingEnabled } from './context.js';
import { isProbePath as isProbe, untracedIncoming } from './untraced.js';

/**
 * The OpenTelemetry Node SDK for one service. Every OpenTelemetry package is imported
 * dynamically inside startTracing, so a service without OTEL_EXPORTER_OTLP_ENDPOINT never loads
 * any of them — in the production bundles too, where esbuild inlines this file but keeps npm
 * packages external (a static import there would load the whole SDK at start-up).
 */


/** ExportResultCode.SUCCESS (a const enum value; the enum's module is not loaded for it). */
const SUCCESS = 0;

/** Longest one export POST may take (OTEL_EXPORTER_OTLP_TIMEOUT / _TRACES_TIMEOUT override it). */
const EXPORT_TIMEOUT_MS = 2000;

/**
 * Passes batches to the OTLP exporter; a failed export is dropped (the batch processor never
 * blocks the service: its queue is bounded and drops when full) and reported ONCE per outage.
 */
class DropAndLogOnce implements SpanExporter {
  private failing = false;
  constructor(
    private readonly inner: SpanExporter,
    private readonly log: (line: string) => void,
    private readonly where: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === SUCCESS) this.failing = false;
      else if (!this.failing) {
        this.failing = true;
        this.log(`tracing: cannot export spans to ${this.where} (${result.error?.message ?? 'failed'}); dropping them until it answers again`);
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A started SDK. */
export interface Tracing {
  serviceName: string;
  /** Flushes what is buffered (bounded by the export timeout) and stops; idempotent. */
  shutdown(): Promise<void>;
}

let started: Promise<Tracing | undefined> | undefined;

/**
 * Starts the SDK once per process: OTLP/HTTP (JSON) export to OTEL_EXPORTER_OTLP_ENDPOINT, the
 * http, undici (fetch), pg, ioredis, pino and Fastify instrumentations. Resolves undefined (and
 * loads nothing) when tracing is off. A second call gets the first one's SDK.
 */
export function startTracing(options: { serviceName: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void }): Promise<Tracing | undefined> {
  const env = options.env ?? process.env;
  if (!tracingEnabled(env)) return Promise.resolve(undefined);
  return (started ??= load(options, env));
}

async function load(options: { serviceName: string; log?: (line: string) => void }, env: NodeJS.ProcessEnv): Promise<Tracing> {
  const [{ FastifyOtelInstrumentation }, { OTLPTraceExporter }, { HttpInstrumentation }, { IORedisInstrumentation }, { PgInstrumentation }, { PinoInstrumentation }, { UndiciInstrumentation }, { NodeSDK }, { BatchSpanProcessor }] = await Promise.all([
    import('@fastify/otel'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-pino'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const log = options.log ?? ((line: string) => console.error(line));
  const serviceName = env.OTEL_SERVICE_NAME || options.serviceName;
  // Traces only: metrics and logs are not exported (the supervisor reads logs from stdout).
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const timeout = Number(env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT || env.OTEL_EXPORTER_OTLP_TIMEOUT) || EXPORT_TIMEOUT_MS;
  const where = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || `${String(env.OTEL_EXPORTER_OTLP_ENDPOINT).replace(/\/$/, '')}/v1/traces`;
  const exporter = new DropAndLogOnce(new OTLPTraceExporter({ timeoutMillis: timeout }), log, where);
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 500, exportTimeoutMillis: timeout })],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => untracedIncoming(request),
        ignoreOutgoingRequestHook: (request) => isProbe(request.path ?? undefined),
        // Calls made outside any traced work (heartbeats, polls) would each be a trace of one span.
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ ignoreRequestHook: (request) => isProbe(request.path), requireParentforSpans: true }),
      // Only inside a traced operation: the relay's and the engine's polling would otherwise be a trace every 100 ms.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      // trace_id/span_id in every pino line (the dashboard links log lines to traces by them); no OTel log export.
      new PinoInstrumentation({ disableLogSending: true }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route: { url: string }) => isProbe(route.url) }),
    ],
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  return {
    serviceName,
    shutdown: () =>
      (stopping ??= Promise.race([
        sdk.shutdown().catch((error: Error) => log(`tracing: shutdown failed (${error.message})`)),
        new Promise<void>((resolve) => setTimeout(resolve, timeout + 500).unref()),
      ])),
  };
}
