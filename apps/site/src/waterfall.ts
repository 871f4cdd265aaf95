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

/** Siblings with the same service and name from this many on are drawn as one row (a follow loop, its queries). */
export const GROUP_MIN = 3;

/** A row of the waterfall: one span, or repeated siblings folded into one row. */
export type WaterfallRow =
  | { kind: 'span'; span: TraceSpan; depth: number }
  | {
      kind: 'group';
      /** Stable across renders and new spans: parent, service and name. */
      id: string;
      service: string;
      name: string;
      depth: number;
      spans: TraceSpan[];
      /** First start and last end of the members (ms since epoch). */
      start: number;
      end: number;
      /** Sum of the members' durations (they may overlap: not end − start). */
      totalMs: number;
      error: boolean;
      expanded: boolean;
    };

/**
 * The waterfall's rows: orderSpans' order, with GROUP_MIN or more siblings of one service and
 * name (under one parent) folded into a group row at the place of the first, with their count
 * and total time. A folded group hides its members and everything under them; `expanded` (group
 * ids) unfolds one: its members follow it one level deeper, each with its own subtree (grouped
 * the same way). A deployment's ~400 spans (the engine's follow steps and their queries) become
 * a screenful.
 */
export function waterfallRows(spans: readonly TraceSpan[], expanded: ReadonlySet<string> = new Set()): WaterfallRow[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(span);
  }
  for (const list of children.values()) list.sort((a, b) => a.start - b.start);
  const out: WaterfallRow[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | undefined, depth: number) => {
    const kids = (children.get(parent) ?? []).filter((s) => !seen.has(s.spanId)); // a cycle in bad data must not loop forever
    const byKey = new Map<string, TraceSpan[]>();
    for (const span of kids) {
      const key = `${span.service}\u0000${span.name}`;
      let members = byKey.get(key);
      if (!members) byKey.set(key, (members = []));
      members.push(span);
    }
    for (const span of kids) {
      if (seen.has(span.spanId)) continue;
      const members = byKey.get(`${span.service}\u0000${span.name}`)!;
      if (members.length < GROUP_MIN) {
        seen.add(span.spanId);
        out.push({ kind: 'span', span, depth });
        walk(span.spanId, depth + 1);
        continue;
      }
      const id = `${parent ?? ''}/${span.service}/${span.name}`;
      const open = expanded.has(id);
      for (const m of members) seen.add(m.spanId);
      out.push({
        kind: 'group',
        id,
        service: span.service,
        name: span.name,
        depth,
        spans: members,
        start: Math.min(...members.map((m) => m.start)),
        end: Math.max(...members.map((m) => m.end)),
        totalMs: members.reduce((sum, m) => sum + (m.end - m.start), 0),
        error: members.some((m) => m.status === 'error'),
        expanded: open,
      });
      if (!open) continue;
      for (const m of members) {
        out.push({ kind: 'span', span: m, depth: depth + 1 });
        walk(m.spanId, depth + 2);
      }
    }
  };
  walk(undefined, 0);
  return out;
}
