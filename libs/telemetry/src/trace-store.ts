import { DEPLOYMENT_ID_ATTRIBUTE, type TraceSpan, type TraceSummary } from '@hypernode/events';

/** Caps of a TraceStore; traces are dropped whole to stay under both (see TraceStore for which go first). */
export interface TraceStoreLimits {
  /** Default 2,000 traces. */
  maxTraces?: number;
  /** Default 50,000 spans over all traces. */
  maxSpans?: number;
}

interface StoredTrace {
  spans: Map<string, TraceSpan>;
  deploymentId?: string;
}

/** Bad cap values, named with the fix. */
export class TraceStoreLimitError extends Error {
  readonly code = 'E_TRACE_STORE_LIMIT';
}

/**
 * The receiver's memory: spans grouped by trace, in the order traces were first seen, capped in
 * traces and in spans, indexed by `hypernode.deployment.id`. Over a cap, the oldest trace that
 * belongs to no deployment goes first (page loads, polls, heartbeats), then the oldest of all:
 * a deployment's trace — what the dashboard links to — outlives the background traffic.
 */
export class TraceStore {
  readonly maxTraces: number;
  readonly maxSpans: number;
  private readonly traces = new Map<string, StoredTrace>();
  private readonly byDeployment = new Map<string, Set<string>>();
  /** Traces with no deployment id (yet), oldest first: the first to drop. */
  private readonly unowned = new Set<string>();
  private spanCount = 0;
  /** Traces dropped to stay under the caps, since the start. */
  dropped = 0;

  constructor(limits: TraceStoreLimits = {}) {
    this.maxTraces = limits.maxTraces ?? 2000;
    this.maxSpans = limits.maxSpans ?? 50_000;
    for (const [name, value] of Object.entries({ maxTraces: this.maxTraces, maxSpans: this.maxSpans })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new TraceStoreLimitError(`TraceStore: ${name} is ${String(value)}; pass a whole number ≥ 1`);
    }
  }

  /** Spans held now, over all traces. */
  get size(): { traces: number; spans: number } {
    return { traces: this.traces.size, spans: this.spanCount };
  }

  /** Adds spans (a span id seen again replaces the earlier copy), then drops the oldest traces over the caps. */
  add(spans: readonly TraceSpan[]): void {
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (!trace) {
        trace = { spans: new Map() };
        this.traces.set(span.traceId, trace);
        this.unowned.add(span.traceId);
      }
      if (!trace.spans.has(span.spanId)) this.spanCount += 1;
      trace.spans.set(span.spanId, span);
      const deploymentId = span.attributes[DEPLOYMENT_ID_ATTRIBUTE];
      if (typeof deploymentId === 'string' && trace.deploymentId === undefined) {
        trace.deploymentId = deploymentId;
        this.unowned.delete(span.traceId);
        let ids = this.byDeployment.get(deploymentId);
        if (!ids) this.byDeployment.set(deploymentId, (ids = new Set()));
        ids.add(span.traceId);
      }
    }
    // A batch bigger than the cap keeps its newest traces; the trace being added may itself go.
    while (this.traces.size > this.maxTraces || (this.spanCount > this.maxSpans && this.traces.size > 0)) this.dropOne();
  }

  /** Drops the oldest trace of no deployment, or when every trace has one, the oldest. */
  private dropOne(): void {
    const traceId = this.unowned.size > 0 ? (this.unowned.values().next().value as string) : (this.traces.keys().next().value as string);
    const trace = this.traces.get(traceId)!;
    this.traces.delete(traceId);
    this.unowned.delete(traceId);
    this.spanCount -= trace.spans.size;
    this.dropped += 1;
    if (trace.deploymentId !== undefined) {
      const ids = this.byDeployment.get(trace.deploymentId);
      ids?.delete(traceId);
      if (ids?.size === 0) this.byDeployment.delete(trace.deploymentId);
    }
  }

  /** The spans of a trace, by start time; undefined when it is not (or no longer) held. */
  spans(traceId: string): TraceSpan[] | undefined {
    const trace = this.traces.get(traceId);
    return trace ? [...trace.spans.values()].sort((a, b) => a.start - b.start) : undefined;
  }

  /** Summaries, newest first: of one trace, of one deployment's traces, or of all; at most `limit`. */
  list(query: { traceId?: string; deploymentId?: string; limit?: number } = {}): TraceSummary[] {
    let ids: Iterable<string>;
    if (query.traceId !== undefined) ids = this.traces.has(query.traceId) ? [query.traceId] : [];
    else if (query.deploymentId !== undefined) ids = this.byDeployment.get(query.deploymentId) ?? [];
    else ids = this.traces.keys();
    const summaries = [...ids].map((id) => this.summary(id, this.traces.get(id)!));
    return summaries.sort((a, b) => b.start - a.start).slice(0, query.limit ?? 50);
  }

  private summary(traceId: string, trace: StoredTrace): TraceSummary {
    const spans = [...trace.spans.values()];
    let start = Infinity;
    let end = -Infinity;
    let root: TraceSpan | undefined;
    for (const span of spans) {
      start = Math.min(start, span.start);
      end = Math.max(end, span.end);
      // The root: no parent, or (still missing parts) a parent not received; the earliest such.
      const orphan = !span.parentSpanId || !trace.spans.has(span.parentSpanId);
      if (orphan && (!root || span.start < root.start || (root.parentSpanId && !span.parentSpanId))) root = span;
    }
    return {
      traceId,
      rootName: root?.name ?? '',
      services: [...new Set(spans.map((s) => s.service))].sort(),
      start,
      durationMs: end - start,
      spanCount: spans.length,
      ...(trace.deploymentId !== undefined ? { deploymentId: trace.deploymentId } : {}),
      error: spans.some((s) => s.status === 'error'),
    };
  }
}
