import protobuf from 'protobufjs';
import type { TraceSpan } from '@hypernode/events';

/**
 * OTLP/HTTP trace requests (ExportTraceServiceRequest) → TraceSpan[]. JSON follows the OTLP
 * JSON mapping (ids as hex, times as decimal strings); protobuf is decoded by protobufjs with the
 * part of opentelemetry-proto the dashboard reads (other fields — events, links — are skipped).
 */

/** The request body is not an OTLP trace export; the message says what is wrong. */
export class OtlpDecodeError extends Error {
  readonly code = 'E_OTLP_DECODE';
}

const anyValue = {
  oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
  fields: {
    stringValue: { type: 'string', id: 1 },
    boolValue: { type: 'bool', id: 2 },
    intValue: { type: 'int64', id: 3 },
    doubleValue: { type: 'double', id: 4 },
    arrayValue: { type: 'ArrayValue', id: 5 },
    kvlistValue: { type: 'KeyValueList', id: 6 },
    bytesValue: { type: 'bytes', id: 7 },
  },
};

// opentelemetry/proto/{common,resource,trace,collector/trace}/v1, flattened into one namespace.
const root = protobuf.Root.fromJSON({
  nested: {
    otlp: {
      nested: {
        ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
        ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
        Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } } },
        InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            parentSpanId: { type: 'bytes', id: 4 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
            status: { type: 'Status', id: 15 },
          },
        },
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        AnyValue: anyValue,
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
      },
    },
  },
});
const ExportTraceServiceRequest = root.lookupType('otlp.ExportTraceServiceRequest');

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number | string };
}
interface OtlpRequest {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

/** Decodes a protobuf ExportTraceServiceRequest. */
export function decodeProtobuf(body: Uint8Array): TraceSpan[] {
  let message: protobuf.Message;
  try {
    message = ExportTraceServiceRequest.decode(body);
  } catch (error) {
    throw new OtlpDecodeError(`the body is not a protobuf ExportTraceServiceRequest (${(error as Error).message}); send OTLP/HTTP protobuf or JSON`);
  }
  // Ids as hex (as in OTLP JSON), 64-bit numbers as decimal strings.
  const object = ExportTraceServiceRequest.toObject(message, { longs: String, bytes: String, defaults: false, oneofs: false }) as OtlpRequest;
  return toSpans(object, 'base64');
}

/** Converts an OTLP JSON body (already parsed). */
export function decodeJson(body: unknown): TraceSpan[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OtlpDecodeError('the body is not an OTLP JSON object: expected {"resourceSpans": [...]}');
  const request = body as OtlpRequest;
  if (request.resourceSpans !== undefined && !Array.isArray(request.resourceSpans)) throw new OtlpDecodeError('resourceSpans is not an array: expected {"resourceSpans": [...]}');
  return toSpans(request, 'hex');
}

function hexId(value: string | undefined, encoding: 'hex' | 'base64', bytes: number, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  // OTLP JSON says hex; some exporters send protobuf-JSON base64. Take either.
  const hex = encoding === 'hex' && /^[0-9a-fA-F]+$/.test(value) ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
  if (hex.length !== bytes * 2 || /^0+$/.test(hex)) throw new OtlpDecodeError(`${what} ${JSON.stringify(value.slice(0, 64))} is not a ${bytes}-byte id (hex in OTLP JSON)`);
  return hex;
}

function nanosToMs(value: string | number | undefined, what: string): number {
  if (value === undefined) throw new OtlpDecodeError(`a span has no ${what}`);
  const text = String(value);
  if (!/^\d{1,20}$/.test(text)) throw new OtlpDecodeError(`${what} ${JSON.stringify(text.slice(0, 40))} is not a whole number of nanoseconds`);
  return Number(BigInt(text) / 1000n) / 1000;
}

function plain(value: OtlpAnyValue | undefined): string | number | boolean {
  if (!value) return '';
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return JSON.stringify((value.arrayValue.values ?? []).map(plain));
  if (value.kvlistValue) return JSON.stringify(Object.fromEntries((value.kvlistValue.values ?? []).map((kv) => [kv.key, plain(kv.value)])));
  return value.bytesValue ?? '';
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list ?? []) if (typeof kv?.key === 'string') out[kv.key] = plain(kv.value);
  return out;
}

const STATUS: Record<string, TraceSpan['status']> = { '1': 'ok', '2': 'error', STATUS_CODE_OK: 'ok', STATUS_CODE_ERROR: 'error' };

function toSpans(request: OtlpRequest, encoding: 'hex' | 'base64'): TraceSpan[] {
  const out: TraceSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const service = String(attributesOf(resourceSpans?.resource?.attributes)['service.name'] ?? 'unknown');
    for (const scopeSpans of resourceSpans?.scopeSpans ?? []) {
      for (const span of scopeSpans?.spans ?? []) {
        const parentSpanId = hexId(span.parentSpanId, encoding, 8, 'parentSpanId');
        out.push({
          traceId: hexId(span.traceId, encoding, 16, 'traceId') ?? fail('a span has no traceId'),
          spanId: hexId(span.spanId, encoding, 8, 'spanId') ?? fail('a span has no spanId'),
          ...(parentSpanId ? { parentSpanId } : {}),
          name: String(span.name ?? ''),
          service,
          start: nanosToMs(span.startTimeUnixNano, 'startTimeUnixNano'),
          end: nanosToMs(span.endTimeUnixNano, 'endTimeUnixNano'),
          status: STATUS[String(span.status?.code ?? 0)] ?? 'unset',
          attributes: attributesOf(span.attributes),
        });
      }
    }
  }
  return out;
}

function fail(message: string): never {
  throw new OtlpDecodeError(message);
}
