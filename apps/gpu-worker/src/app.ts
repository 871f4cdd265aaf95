import { digest, sameDigest } from '@hypernode/auth';
import { checkReadiness, errorBody, healthBody, lazyChildLogger, logOneLinePerRequest, quietRequestLogging } from '@hypernode/service-kit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { GpuWorker } from './worker.js';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const STATUS: Record<string, number> = { accepted: 202, duplicate: 200, busy: 409, 'too-big': 409, closing: 503 };
const MESSAGE: Record<string, string> = {
  busy: 'this worker is running another deployment: schedule it elsewhere',
  'too-big': 'the deployment needs more VRAM than this GPU has',
  closing: 'this worker is shutting down',
};

/**
 * onRequest guard of the job routes (before validation: 401 before 400): `Authorization: Bearer
 * <dispatch secret>`, compared as sha256 digests in constant time with the digest the worker
 * got at registration. Until it is registered no dispatch is accepted.
 */
function requireDispatchSecret(worker: GpuWorker) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const expected = worker.dispatchDigest;
    const given = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (expected && given !== undefined && sameDigest(digest(given), expected)) return;
    const message = expected
      ? "missing or wrong dispatch secret: the engine sends `Authorization: Bearer <this node's dispatch secret>` (from the api's registration)"
      : 'this worker is not registered with the api yet, so it has no dispatch secret: retry once it is (GET /ready)';
    return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody(401, message));
  };
}

/**
 * The GPU worker's HTTP side, built without listening. The GPU itself is simulated (no GPU
 * exists on the machines this runs on); dispatch, progress and hand-back are real.
 */
export function buildApp(options: { worker: GpuWorker; logger?: boolean }): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, logController: quietRequestLogging(), childLoggerFactory: lazyChildLogger, ajv: { customOptions: { removeAdditional: false } } });
  const onRequest = requireDispatchSecret(options.worker);

  app.get('/health', async () => ({
    ...healthBody('gpu-worker'),
    gpu: 'simulated',
    node: options.worker.node?.id ?? null,
    busy: options.worker.current?.deploymentId ?? null,
  }));

  // Ready = registered with the api and heard from it lately (the one dependency a worker has).
  app.get('/ready', async (_request, reply) => {
    const report = await checkReadiness('gpu-worker', [{ name: 'api', probe: async () => options.worker.assertReady() }]);
    return reply.code(report.httpStatus).send(report.body);
  });

  app.post<{ Body: { deploymentId: string; model: string; minVramGb: number } }>(
    '/jobs',
    {
      onRequest,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['deploymentId', 'model', 'minVramGb'],
          properties: { deploymentId: { type: 'string', pattern: UUID }, model: { type: 'string', minLength: 1 }, minVramGb: { type: 'number', exclusiveMinimum: 0 } },
        },
      },
    },
    async (request, reply) => {
      const outcome = options.worker.accept(request.body);
      const code = STATUS[outcome]!;
      if (code >= 400) return reply.code(code).send({ statusCode: code, error: code === 409 ? 'Conflict' : 'Service Unavailable', message: MESSAGE[outcome], outcome });
      return reply.code(code).send({ outcome, deploymentId: request.body.deploymentId });
    },
  );

  app.get<{ Params: { id: string } }>('/jobs/:id', { onRequest }, async (request, reply) => {
    const job = options.worker.current;
    if (job?.deploymentId !== request.params.id) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no job for deployment ${request.params.id} on this worker` });
    return { deploymentId: job.deploymentId, model: job.model, progress: job.progress, phase: job.phase };
  });

  logOneLinePerRequest(app);
  return app;
}
