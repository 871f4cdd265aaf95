import { describe, expect, it } from 'vitest';
import type { TraceSpan } from '@hypernode/events';
import { GROUP_MIN, orderSpans, waterfallRows } from './waterfall.js';

const span = (spanId: string, start: number, parentSpanId?: string): TraceSpan => ({ traceId: 't', spanId, parentSpanId, name: spanId, service: 'api', start, end: start + 1, status: 'ok', attributes: {} });

describe('orderSpans', () => {
  it('puts each child under its parent by start time, indented by depth', () => {
    const rows = orderSpans([span('c2', 5, 'root'), span('root', 0), span('g', 3, 'c1'), span('c1', 2, 'root')]);
    expect(rows.map((r) => `${r.span.spanId}:${r.depth}`)).toEqual(['root:0', 'c1:1', 'g:2', 'c2:1']);
  });

  it('draws a span whose parent is missing as a root, and survives a cycle', () => {
    expect(orderSpans([span('orphan', 1, 'gone'), span('root', 0)]).map((r) => r.span.spanId)).toEqual(['root', 'orphan']);
    expect(orderSpans([span('a', 0, 'b'), span('b', 1, 'a')])).toEqual([]);
  });
});

describe('waterfallRows', () => {
  const at = (spanId: string, start: number, parentSpanId: string | undefined, service: string, name: string, ms = 1, status: TraceSpan['status'] = 'ok'): TraceSpan => ({ traceId: 't', spanId, parentSpanId, name, service, start, end: start + ms, status, attributes: {} });
  /** A deployment's trace: the POST, the engine's job with `steps` follow steps, each with two pg queries. */
  const deployment = (steps: number): TraceSpan[] => [
    at('post', 0, undefined, 'api', 'POST /deployments', 5),
    at('job', 10, 'post', 'automation', 'deployment job', 1000),
    ...Array.from({ length: steps }, (_, i) => [at(`f${i}`, 20 + i * 10, 'job', 'automation', 'follow step', 4, i === 7 ? 'error' : 'ok'), at(`q${i}a`, 21 + i * 10, `f${i}`, 'automation', 'pg.query SELECT'), at(`q${i}b`, 22 + i * 10, `f${i}`, 'automation', 'pg.query UPDATE')]).flat(),
    at('worker', 900, 'job', 'gpu-worker', 'POST /jobs', 50),
  ];
  const describeRow = (r: ReturnType<typeof waterfallRows>[number]) => (r.kind === 'span' ? `${r.span.spanId}:${r.depth}` : `${r.name}×${r.spans.length}:${r.depth}`);

  it('folds repeated siblings of one service and name into one row with their count, extent and total time, hiding what is under them', () => {
    const rows = waterfallRows(deployment(130));
    expect(rows.map(describeRow)).toEqual(['post:0', 'job:1', 'follow step×130:2', 'worker:2']);
    const group = rows[2]!;
    expect(group.kind === 'group' && { start: group.start, end: group.end, totalMs: group.totalMs, error: group.error, expanded: group.expanded }).toEqual({ start: 20, end: 20 + 129 * 10 + 4, totalMs: 130 * 4, error: true, expanded: false });
  });

  it('unfolds a group by its id: each member one level deeper with its own subtree, in start order', () => {
    const group = waterfallRows(deployment(3)).find((r) => r.kind === 'group');
    const id = group?.kind === 'group' ? group.id : 'none';
    expect(waterfallRows(deployment(3), new Set([id])).map(describeRow)).toEqual(['post:0', 'job:1', 'follow step×3:2', 'f0:3', 'q0a:4', 'q0b:4', 'f1:3', 'q1a:4', 'q1b:4', 'f2:3', 'q2a:4', 'q2b:4', 'worker:2']);
  });

  it('groups inside an unfolded member too, keeps fewer than GROUP_MIN siblings as they are, and survives a cycle', () => {
    const spans = [at('root', 0, undefined, 'api', 'GET'), ...Array.from({ length: GROUP_MIN }, (_, i) => at(`q${i}`, 1 + i, 'root', 'api', 'pg.query')), at('r1', 9, 'root', 'api', 'redis GET'), at('r2', 10, 'root', 'api', 'redis GET')];
    expect(waterfallRows(spans).map(describeRow)).toEqual(['root:0', `pg.query×${GROUP_MIN}:1`, 'r1:1', 'r2:1']);
    expect(waterfallRows([at('a', 0, 'b', 'x', 'n'), at('b', 1, 'a', 'x', 'n')])).toEqual([]);
  });
});
