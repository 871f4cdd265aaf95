import { contextFromTraceparent, currentTraceparent, DEPLOYMENT_ID_ATTRIBUTE, SpanKind } from '@hypernode/telemetry';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { HypernodeEvent } from '@hypernode/events';

/** The `relay publish` spans of one pass, one per traced event. */
export interface PublishSpans {
  /** The traceparent to put in the event's stream entry (its publish span), or undefined for an untraced event. */
  traceparent(event: HypernodeEvent): string | undefined;
  /** Ends every span; with an error, marks them failed (the pass publishes nothing then). */
  end(error?: Error): void;
}

const NONE: PublishSpans = { traceparent: () => undefined, end: () => undefined };

/**
 * Starts a PRODUCER span per event that was written with a traceparent, as that context's
 * child: the trace of a POST goes on through the relay to whoever reads the stream. Events
 * written with tracing off (no traceparent) get no span, so a pass of them costs nothing here.
 */
export function startPublishSpans(events: readonly HypernodeEvent[], traceparentOf: (e: HypernodeEvent) => string | undefined, streamKey: string): PublishSpans {
  const spans = new Map<HypernodeEvent, { span: Span; traceparent: string | undefined }>();
  for (const event of events) {
    const parent = traceparentOf(event);
    if (!parent) continue;
    const deploymentId = 'deployment' in event.data ? event.data.deployment.id : undefined;
    const span = trace.getTracer('hypernode').startSpan(
      `relay publish ${event.type}`,
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'redis', 'messaging.destination.name': streamKey, 'messaging.message.id': event.id, ...(deploymentId ? { [DEPLOYMENT_ID_ATTRIBUTE]: deploymentId } : {}) } },
      contextFromTraceparent(parent),
    );
    spans.set(event, { span, traceparent: currentTraceparent(trace.setSpan(contextFromTraceparent(parent), span)) });
  }
  if (spans.size === 0) return NONE;
  return {
    traceparent: (event) => spans.get(event)?.traceparent,
    end: (error) => {
      for (const { span } of spans.values()) {
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        span.end();
      }
    },
  };
}
