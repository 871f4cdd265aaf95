import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { DEPLOYMENT_ID_ATTRIBUTE } from '@hypernode/events';
import { tracingEnabled } from './enabled.js';

/**
 * Trace-context helpers for our own spans. They use @opentelemetry/api only: without a
 * registered SDK (OTEL_EXPORTER_OTLP_ENDPOINT unset) every call here is the API's no-op —
 * no span is recorded and no traceparent is produced — so the code paths that call them cost
 * next to nothing when tracing is off.
 */

export { DEPLOYMENT_ID_ATTRIBUTE, SpanKind, tracingEnabled };

/** Our instrumentation scope: every span we start by hand comes from this tracer. */
const TRACER = 'hypernode';

/** W3C traceparent: version-traceid-spanid-flags, lowercase hex. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;


/**
 * The W3C `traceparent` of the active span (`ctx`, default the active context), or undefined
 * when there is none (tracing off, or no span in progress). Stored with outbox rows and stream
 * frames so the next hop can continue the trace where no instrumentation carries it.
 */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const span = trace.getSpan(ctx);
  if (!span || !span.spanContext().traceFlags) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  const value = carrier.traceparent;
  if (value !== undefined) return value;
  // No propagator registered (a provider without the SDK's defaults): build it from the span itself.
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
}

/** A context whose parent is the span a `traceparent` names; ROOT_CONTEXT for a missing or malformed one. */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  if (!traceparent || !TRACEPARENT.test(traceparent)) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = traceparent.split('-') as [string, string, string, string];
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true });
}

/** What a span started by withSpan carries. */
export interface SpanOptions {
  /** Parent: a context, or a traceparent string (continues that trace). Default: the active context. */
  parent?: Context | string | null;
  kind?: SpanKind;
  attributes?: Attributes;
  /** Shorthand for the `hypernode.deployment.id` attribute. */
  deploymentId?: string;
  links?: Link[];
}

function parentOf(parent: SpanOptions['parent']): Context {
  if (parent === undefined) return context.active();
  if (parent === null) return ROOT_CONTEXT;
  return typeof parent === 'string' ? contextFromTraceparent(parent) : parent;
}

/**
 * Runs `work` inside a new span (active for everything `work` awaits: pg and Redis calls made in
 * it become its children), ends it when `work` settles, and marks it an error when `work` throws.
 */
export async function withSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T> | T): Promise<T> {
  const attributes: Attributes = { ...options.attributes };
  if (options.deploymentId) attributes[DEPLOYMENT_ID_ATTRIBUTE] = options.deploymentId;
  const span = trace.getTracer(TRACER).startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes, links: options.links }, parentOf(options.parent));
  try {
    return await context.with(trace.setSpan(parentOf(options.parent), span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** Tags the active span (e.g. the Fastify request span) with the deployment it worked on. */
export function tagDeployment(deploymentId: string): void {
  trace.getActiveSpan()?.setAttribute(DEPLOYMENT_ID_ATTRIBUTE, deploymentId);
}

/** What startTracingIfEnabled hands back: a flush-and-stop for the service's shutdown. */
export interface TracingHandle {
  serviceName: string;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK when tracing is enabled (a no-op returning the same handle when
 * the preload started it already); returns undefined, having imported nothing, when it is not.
 */
export async function startTracingIfEnabled(options: { serviceName: string; env?: NodeJS.ProcessEnv }): Promise<TracingHandle | undefined> {
  if (!tracingEnabled(options.env)) return undefined;
  const { startTracing } = await import('./sdk.js');
  return startTracing(options);
}

/**
 * Runs `work` with tracing suppressed: the instrumentations (pg, http, ioredis…) record no span
 * for what it does. For a statement whose text carries data (values escaped into the SQL, not
 * sent as parameters): the pg instrumentation would copy that text, data and all, into the span.
 */
export function withoutTracing<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}
