import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NodeSchema } from '@hypernode/events';
import type { Pool } from 'pg';
import { requireWorkerToken } from '../plugins/auth.js';
import { errorBody, ErrorSchema } from '../plugins/errors.js';
import { getNode, heartbeat, listNodes, registerNode, takeNodesOffline } from '@hypernode/store';
import { IdParams, NAME_PATTERN, PageQuery } from './deployments.js';

/** GPU nodes: workers register and heartbeat (bearer token); anyone may read. */
export const nodesRoutes: FastifyPluginAsyncTypebox<{ pool: Pool; workerToken?: string }> = async (app, { pool, workerToken }) => {
  const worker = requireWorkerToken(workerToken);

  app.post(
    '/nodes',
    {
      preHandler: worker,
      schema: {
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
            gpuModel: Type.String({ minLength: 1, maxLength: 100, pattern: NAME_PATTERN }),
            vramGb: Type.Number({ exclusiveMinimum: 0, maximum: 4096 }),
            workerUrl: Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://[^\\u0000-\\u0020\\u007f]+$' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: NodeSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await registerNode(pool, request.body)),
  );

  app.post(
    '/nodes/:id/heartbeat',
    {
      preHandler: worker,
      schema: {
        params: IdParams,
        body: Type.Object({ load: Type.Number({ minimum: 0, maximum: 1 }), freeVramGb: Type.Number({ minimum: 0 }) }, { additionalProperties: false }),
        response: { 200: NodeSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const node = await heartbeat(pool, request.params.id, request.body);
      return node ?? reply.code(404).send(errorBody(404, `node ${request.params.id} is not registered: POST /nodes first`));
    },
  );

  app.get(
    '/nodes',
    {
      schema: {
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('offline')])), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(NodeSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => listNodes(pool, { status: request.query.status, limit: Number(request.query.limit ?? 20), cursor: request.query.cursor }),
  );

  app.get('/nodes/:id', { schema: { params: IdParams, response: { 200: NodeSchema, 404: ErrorSchema } } }, async (request, reply) => {
    const node = await getNode(pool, request.params.id);
    return node ?? reply.code(404).send(errorBody(404, `node ${request.params.id} not found`));
  });

  // A worker shutting down: offline now, its deployments back to the queue.
  app.post('/nodes/:id/deregister', { preHandler: worker, schema: { params: IdParams } }, async (request, reply) => {
    const taken = await takeNodesOffline(pool, { id: request.params.id });
    if (taken.length === 0 && !(await getNode(pool, request.params.id))) return reply.code(404).send(errorBody(404, `node ${request.params.id} not found`));
    return reply.code(204).send();
  });
};
