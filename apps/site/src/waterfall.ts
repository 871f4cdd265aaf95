import type { TraceSpan } from '@hypernode/events';

/**
 * Spans in waterfall order: each parent followed by its children (by start time), with its
 * depth for the indent. A span whose parent is not in the trace (still arriving, or from a
 * service that does not export) is drawn as a root rather than dropped.
 */
export function orderSpans(spans: readonly TraceSpan[]): Array<{ span: TraceSpan; depth: number }> {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => a.start - b.start);
  const out: Array<{ span: TraceSpan; depth: number }> = [];
  const seen = new Set<string>();
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      if (seen.has(span.spanId)) continue; // a cycle in bad data must not loop forever
      seen.add(span.spanId);
      out.push({ span, depth });
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}
