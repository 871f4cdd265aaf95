import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { LogLine, TraceDetail, TraceList } from '@hypernode/events';
import { decodeJson, decodeProtobuf, OtlpDecodeError } from './otlp-decode.js';
import type { TraceStore } from './trace-store.js';

export { TraceStore, TraceStoreLimitError, type TraceStoreLimits } from './trace-store.js';
export { decodeJson, decodeProtobuf, OtlpDecodeError } from './otlp-decode.js';

/** What the receiver plugin is given by its host server. */
export interface OtlpReceiverOptions {
  store: TraceStore;
  /** The log lines carrying a trace id, for GET /traces/:traceId (the supervisor's log buffer). */
  logsForTrace?: (traceId: string) => LogLine[] | Promise<LogLine[]>;
  /** Largest accepted export body; default 8 MiB (the SDK's batches are far below). */
  bodyLimit?: number;
  /**
   * The one credential POST /v1/traces accepts (`Authorization: Bearer <token>`, which the
   * services send from OTEL_EXPORTER_OTLP_HEADERS); anything else is 401. Undefined: the host
   * authenticates the route itself.
   */
  ingestToken?: string;
  /** Route config of POST /v1/traces, for the host's own access hook (e.g. `{ scope: 'none' }` when `ingestToken` guards it). */
  ingestRouteConfig?: Record<string, unknown>;
}

const PROTOBUF = 'application/x-protobuf';
const TRACE_ID = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const badRequest = (message: string) => ({ statusCode: 400, error: 'Bad Request', message });

/**
 * OTLP/HTTP traces in, traces out:
 *   POST /v1/traces                    JSON (application/json) or protobuf (application/x-protobuf)
 *   GET  /traces?deploymentId=|traceId=&limit=   → TraceList (newest first; limit 1–500, default 50)
 *   GET  /traces/:traceId              → TraceDetail (spans by start, plus logsForTrace's lines)
 * Registered without fastify-plugin, so its protobuf body parser stays inside it. It assumes
 * nothing of the host beyond Fastify: authentication, CORS and the port are the host's.
 */
export const otlpReceiver: FastifyPluginAsync<OtlpReceiverOptions> = async (app, options) => {
  const { store } = options;
  const bodyLimit = options.bodyLimit ?? 8 * 1024 * 1024;
  app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  const expected = options.ingestToken === undefined ? undefined : Buffer.from(`Bearer ${options.ingestToken}`);
  app.post('/v1/traces', { bodyLimit, config: options.ingestRouteConfig ?? {} }, async (request, reply) => {
    if (expected) {
      const got = Buffer.from(request.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'POST /v1/traces takes the ingest token `hypernode up` gives its services (OTEL_EXPORTER_OTLP_HEADERS); point your own exporters at your own collector' });
      }
    }
    const protobuf = Buffer.isBuffer(request.body);
    // Fastify's own text/plain parser hands a string: not an OTLP encoding.
    if (typeof request.body === 'string') return reply.code(415).send({ statusCode: 415, error: 'Unsupported Media Type', message: `content-type ${request.headers['content-type']} is not OTLP: send application/json or application/x-protobuf` });
    try {
      store.add(protobuf ? decodeProtobuf(request.body as Buffer) : decodeJson(request.body));
    } catch (error) {
      if (error instanceof OtlpDecodeError) return reply.code(400).send(badRequest(error.message));
      throw error;
    }
    // An empty ExportTraceServiceResponse: full success, in the encoding the exporter used.
    return protobuf ? reply.type(PROTOBUF).send(Buffer.alloc(0)) : reply.send({});
  });

  app.get<{ Querystring: { deploymentId?: string; traceId?: string; limit?: string } }>('/traces', async (request, reply): Promise<TraceList | undefined> => {
    const { deploymentId, traceId, limit } = request.query;
    if (deploymentId !== undefined && !UUID.test(deploymentId)) return reply.code(400).send(badRequest(`deploymentId ${JSON.stringify(deploymentId.slice(0, 80))} is not a deployment id: pass a UUID`));
    if (traceId !== undefined && !TRACE_ID.test(traceId)) return reply.code(400).send(badRequest(`traceId ${JSON.stringify(traceId.slice(0, 80))} is not a trace id: pass 32 lowercase hex digits`));
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) return reply.code(400).send(badRequest(`limit ${JSON.stringify(limit)} is out of range: pass a whole number from 1 to 500`));
    return { traces: store.list({ deploymentId: deploymentId?.toLowerCase(), traceId, limit: n }) };
  });

  app.get<{ Params: { traceId: string } }>('/traces/:traceId', async (request, reply): Promise<TraceDetail | undefined> => {
    const { traceId } = request.params;
    if (!TRACE_ID.test(traceId)) return reply.code(400).send(badRequest(`traceId ${JSON.stringify(traceId.slice(0, 80))} is not a trace id: pass 32 lowercase hex digits`));
    const spans = store.spans(traceId);
    if (!spans) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `trace ${traceId} is not held (never received, or dropped: the store keeps the newest ${store.maxTraces} traces)` });
    return { traceId, spans, logs: (await options.logsForTrace?.(traceId)) ?? [] };
  });
};
