import { describe, expect, it } from 'vitest';
import type { TraceSpan } from '@hypernode/events';
import { orderSpans } from './waterfall.js';

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
