import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_ID_ATTRIBUTE, type LogLine, type TraceDetail, type TraceList } from '@hypernode/events';
import { otlpReceiver, TraceStore } from './receiver.js';

let app: FastifyInstance;
let url: string;
const store = new TraceStore();
const logLine: LogLine = { seq: 1, service: 'api', run: 0, time: 1, level: 'info', message: 'hello', stream: 'stdout' };

beforeAll(async () => {
  app = Fastify();
  await app.register(otlpReceiver, { store, logsForTrace: (traceId) => [{ ...logLine, traceId }], bodyLimit: 64 * 1024 });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
});

/** Makes a parent with two children (one an error) through a real SDK provider exporting with `exporter`. */
async function exportTrace(exporter: SpanExporter, service: string, deploymentId: string): Promise<string> {
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  const parent = tracer.startSpan('POST /deployments', { attributes: { [DEPLOYMENT_ID_ATTRIBUTE]: deploymentId, 'http.status_code': 201 } }, ROOT_CONTEXT);
  const inParent = trace.setSpan(ROOT_CONTEXT, parent);
  tracer.startSpan('pg.query INSERT', { attributes: { ok: true } }, inParent).end();
  const failing = tracer.startSpan('relay publish', {}, inParent);
  failing.setStatus({ code: 2, message: 'redis down' });
  failing.end();
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
  return parent.spanContext().traceId;
}

describe('otlpReceiver', () => {
  for (const [encoding, make] of [
    ['JSON', () => new JsonExporter({ url: `${url}/v1/traces`, timeoutMillis: 5000 })],
    ['protobuf', () => new ProtoExporter({ url: `${url}/v1/traces`, timeoutMillis: 5000 })],
  ] as const) {
    it(`stores what a real ${encoding} exporter sends, with parent links, and serves it`, async () => {
      const deploymentId = encoding === 'JSON' ? '11111111-1111-4111-8111-111111111111' : '22222222-2222-4222-8222-222222222222';
      const traceId = await exportTrace(make(), `svc-${encoding}`, deploymentId);
      const spans = store.spans(traceId);
      expect(spans?.map((s) => s.name).sort()).toEqual(['POST /deployments', 'pg.query INSERT', 'relay publish']);
      const root = spans!.find((s) => s.name === 'POST /deployments')!;
      expect(root.parentSpanId).toBeUndefined();
      expect(root.service).toBe(`svc-${encoding}`);
      expect(root.attributes).toMatchObject({ [DEPLOYMENT_ID_ATTRIBUTE]: deploymentId, 'http.status_code': 201 });
      expect(root.end).toBeGreaterThanOrEqual(root.start);
      expect(root.start).toBeGreaterThan(Date.now() - 60_000);
      for (const child of spans!.filter((s) => s !== root)) expect(child.parentSpanId).toBe(root.spanId);
      expect(spans!.find((s) => s.name === 'relay publish')!.status).toBe('error');
      expect(spans!.find((s) => s.name === 'pg.query INSERT')!.attributes.ok).toBe(true);

      const list = (await (await fetch(`${url}/traces?deploymentId=${deploymentId}`)).json()) as TraceList;
      expect(list.traces).toHaveLength(1);
      expect(list.traces[0]).toMatchObject({ traceId, rootName: 'POST /deployments', services: [`svc-${encoding}`], spanCount: 3, deploymentId, error: true });
      const detail = (await (await fetch(`${url}/traces/${traceId}`)).json()) as TraceDetail;
      expect(detail.spans).toHaveLength(3);
      expect(detail.logs).toEqual([{ ...logLine, traceId }]);
    });
  }

  it('answers 400 naming the problem for a bad body, 404 for an unknown trace, 400 for bad queries', async () => {
    const post = (body: string | Uint8Array, type: string) => fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body });
    const notJson = await post('{"resourceSpans": [', 'application/json');
    expect(notJson.status).toBe(400);
    const badId = await post(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: '0102030405060708', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }), 'application/json');
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { message: string }).message).toMatch(/traceId "xyz" is not a 16-byte id/);
    const notArray = await post(JSON.stringify({ resourceSpans: 5 }), 'application/json');
    expect(((await notArray.json()) as { message: string }).message).toMatch(/resourceSpans is not an array/);
    const garbage = await post(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), 'application/x-protobuf');
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { message: string }).message).toMatch(/not a protobuf ExportTraceServiceRequest/);
    const tooBig = await post(new Uint8Array(65 * 1024), 'application/x-protobuf');
    expect(tooBig.status).toBe(413);
    expect((await post('x', 'text/plain')).status).toBe(415);
    expect((await fetch(`${url}/traces/${'ab'.repeat(16)}`)).status).toBe(404);
    expect((await fetch(`${url}/traces/nothex`)).status).toBe(400);
    expect((await fetch(`${url}/traces?limit=0`)).status).toBe(400);
    expect((await fetch(`${url}/traces?deploymentId=nope`)).status).toBe(400);
  });
});

describe('otlpReceiver with an ingest token', () => {
  it('takes exports only with the token (as an exporter sends it from its headers), 401 otherwise', async () => {
    const guarded = Fastify();
    const own = new TraceStore();
    await guarded.register(otlpReceiver, { store: own, ingestToken: 'hnt_secret-of-this-run' });
    const base = await guarded.listen({ port: 0, host: '127.0.0.1' });
    try {
      const refused = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer hnt_other' }, body: '{"resourceSpans":[]}' });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { message: string }).message).toMatch(/ingest token/);
      expect((await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' })).status).toBe(401);
      const traceId = await exportTrace(new JsonExporter({ url: `${base}/v1/traces`, timeoutMillis: 5000, headers: { authorization: 'Bearer hnt_secret-of-this-run' } }), 'svc-token', '33333333-3333-4333-8333-333333333333');
      expect(own.spans(traceId)).toHaveLength(3);
    } finally {
      await guarded.close();
    }
  });
});

describe('TraceStore caps', () => {
  const span = (traceId: string, spanId: string, start: number) => ({ traceId, spanId, name: `s${spanId}`, service: 'x', start, end: start + 1, status: 'unset' as const, attributes: { [DEPLOYMENT_ID_ATTRIBUTE]: `d-${traceId}` } });
  const tid = (n: number) => n.toString(16).padStart(32, '0');
  const sid = (n: number) => n.toString(16).padStart(16, '0');

  it('drops the oldest traces over the trace cap, and their deployment index', () => {
    const store = new TraceStore({ maxTraces: 3, maxSpans: 100 });
    for (let i = 1; i <= 5; i++) store.add([span(tid(i), sid(i), i)]);
    expect(store.size).toEqual({ traces: 3, spans: 3 });
    expect(store.spans(tid(1))).toBeUndefined();
    expect(store.list({ deploymentId: `d-${tid(2)}` })).toEqual([]);
    expect(store.list().map((t) => t.traceId)).toEqual([tid(5), tid(4), tid(3)]);
    expect(store.dropped).toBe(2);
  });

  it('drops the oldest traces over the span cap; a repeated span id is not counted twice', () => {
    const store = new TraceStore({ maxTraces: 100, maxSpans: 5 });
    store.add([span(tid(1), sid(1), 1), span(tid(1), sid(2), 2), span(tid(1), sid(2), 2)]);
    store.add([span(tid(2), sid(3), 3), span(tid(2), sid(4), 4)]);
    expect(store.size).toEqual({ traces: 2, spans: 4 });
    store.add([span(tid(3), sid(5), 5), span(tid(3), sid(6), 6)]);
    expect(store.size).toEqual({ traces: 2, spans: 4 });
    expect(store.spans(tid(1))).toBeUndefined();
  });

  it("drops the traces of no deployment first: a deployment's trace outlives page loads and polls arriving after it", () => {
    const store = new TraceStore({ maxTraces: 3, maxSpans: 100 });
    const plain = (n: number) => ({ ...span(tid(n), sid(n), n), attributes: {} });
    store.add([span(tid(1), sid(1), 1)]);
    // A trace first seen without the id gets it from a later span: it is a deployment's from then on.
    store.add([plain(2)]);
    store.add([span(tid(2), sid(20), 20)]);
    for (let i = 3; i <= 10; i++) store.add([plain(i)]);
    expect(store.list().map((t) => t.traceId)).toEqual([tid(10), tid(2), tid(1)]);
    expect(store.list({ deploymentId: `d-${tid(1)}` }).map((t) => t.traceId)).toEqual([tid(1)]);
    // Only deployments' traces left: the oldest goes.
    store.add([span(tid(11), sid(11), 11)]);
    store.add([span(tid(12), sid(12), 12)]);
    expect(store.list().map((t) => t.traceId)).toEqual([tid(12), tid(11), tid(2)]);
    expect(store.dropped).toBe(9);
  });

  it('refuses caps that are not whole numbers ≥ 1', () => {
    expect(() => new TraceStore({ maxTraces: 0 })).toThrow(/maxTraces is 0; pass a whole number ≥ 1/);
  });
});
