import { contextFromTraceparent, DEPLOYMENT_ID_ATTRIBUTE, SpanKind } from '@hypernode/telemetry';
import { context, trace } from '@opentelemetry/api';
import type { HypernodeEvent } from '@hypernode/events';

/**
 * Runs the fan-out of one stream event inside a CONSUMER span continuing the trace the relay
 * put in the stream entry (`traceparent`). Untraced entries (tracing off, or events from before
 * it was on) are fanned out directly, with no span.
 */
export function fanOutTraced(id: bigint, event: HypernodeEvent | undefined, traceparent: string | undefined, dispatch: (id: bigint, event: HypernodeEvent | undefined) => void): void {
  if (!traceparent || !event) return dispatch(id, event);
  const parent = contextFromTraceparent(traceparent);
  const deploymentId = 'deployment' in event.data ? event.data.deployment.id : undefined;
  const span = trace.getTracer('hypernode').startSpan(`realtime fan-out ${event.type}`, { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'redis', 'messaging.message.id': event.id, 'hypernode.topics': event.topics.join(','), ...(deploymentId ? { [DEPLOYMENT_ID_ATTRIBUTE]: deploymentId } : {}) } }, parent);
  try {
    context.with(trace.setSpan(parent, span), () => dispatch(id, event));
  } finally {
    span.end();
  }
}
