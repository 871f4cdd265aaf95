import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DEPLOYMENT_STATES, DeploymentSchema } from '@hypernode/events';
import type { Pool } from 'pg';
import { requireWorkerToken } from '../plugins/auth.js';
import { errorBody, ErrorSchema } from '../plugins/errors.js';
import { createDeployment, getDeployment, listDeployments, transitionDeployment } from '@hypernode/store';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Status = Type.Enum(DEPLOYMENT_STATES);

/** LLM deployments: create, list (status filter, cursor pages), read, cancel. */
export const deploymentsRoutes: FastifyPluginAsyncTypebox<{ pool: Pool; workerToken?: string }> = async (app, { pool, workerToken }) => {
  app.post(
    '/deployments',
    {
      schema: {
        body: Type.Object(
          {
            model: Type.String({ minLength: 1, maxLength: 200, description: 'Model name, e.g. llama-3-8b' }),
            gpuModel: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Required GPU model; any when omitted' })),
            minVramGb: Type.Number({ exclusiveMinimum: 0, maximum: 4096, description: 'VRAM the model needs, GB' }),
            maxDurationS: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600, description: 'Stop after this many seconds' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: DeploymentSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createDeployment(pool, request.body)),
  );

  app.get(
    '/deployments',
    {
      schema: {
        querystring: Type.Object(
          { status: Type.Optional(Status), limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1–100, default 20' })), cursor: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(DeploymentSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => listDeployments(pool, { status: request.query.status, limit: Number(request.query.limit ?? 20), cursor: request.query.cursor }),
  );

  app.get('/deployments/:id', { schema: { params: IdParams, response: { 200: DeploymentSchema, 404: ErrorSchema } } }, async (request, reply) => {
    const deployment = await getDeployment(pool, request.params.id);
    return deployment ?? reply.code(404).send(errorBody(404, `deployment ${request.params.id} not found`));
  });

  app.post('/deployments/:id/cancel', { schema: { params: IdParams, response: { 200: DeploymentSchema, 404: ErrorSchema } } }, async (request, reply) => {
    const deployment = await transitionDeployment(pool, request.params.id, 'cancelled');
    return deployment ?? reply.code(404).send(errorBody(404, `deployment ${request.params.id} not found`));
  });

  // Workers report progress and outcome; `queued` hands a deployment back (the worker is leaving).
  app.post(
    '/deployments/:id/progress',
    {
      preHandler: requireWorkerToken(workerToken),
      schema: {
        params: IdParams,
        body: Type.Object(
          {
            status: Type.Enum(['running', 'completed', 'failed', 'queued'] as const),
            progress: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
            error: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: DeploymentSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { status, progress, error } = request.body;
      const deployment = await transitionDeployment(pool, request.params.id, status, { progress, error, ...(status === 'queued' ? { nodeId: null } : {}) });
      return deployment ?? reply.code(404).send(errorBody(404, `deployment ${request.params.id} not found`));
    },
  );
};
