import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NodeSchema, Nullable } from '@hypernode/events';
import type { Pool } from 'pg';
import { describeWorkerHostRule, workerUrlAllowed } from '@hypernode/auth';
import { joinTokenOrNodeCredential, unauthorized } from '../plugins/auth.js';
import { errorBody, ErrorSchema } from '../plugins/errors.js';
import type { KeyLookup } from '../plugins/key-lookup.js';
import { getNode, heartbeat, JoinTokenRefusedError, listNodes, NodeNameTakenError, registerNode, retireNodeCredential, takeNodesOffline } from '@hypernode/store';
import { IdParams, NAME_PATTERN, PageQuery } from './deployments.js';

/** What POST /nodes answers: the node and its secrets, shown this once. */
const RegisteredSchema = Type.Object({
  node: NodeSchema,
  credential: Type.String({ description: 'hnn_…: the node authenticates to the api with it (heartbeat, progress, deregister)' }),
  dispatchSecret: Type.String({ description: 'hnd_…: the automation engine presents it to this worker when dispatching' }),
});

/**
 * GPU nodes: a worker registers with a join token (or re-registers with its own credential),
 * then heartbeats and deregisters with its node credential; `read` lists and reads them.
 * Whatever ends a node credential tells `keys` once committed, so no api instance keeps
 * accepting it from its cache (plugins/key-lookup.ts).
 */
export const nodesRoutes: FastifyPluginAsyncTypebox<{ pool: Pool; workerHosts: { profile: string; allowed: string[] }; keys?: KeyLookup }> = async (app, { pool, workerHosts, keys }) => {

  app.post(
    '/nodes',
    {
      config: { auth: 'public' },
      onRequest: joinTokenOrNodeCredential(pool),
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
        response: { 201: RegisteredSchema, 400: ErrorSchema, 401: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      if (!workerUrlAllowed(request.body.workerUrl, workerHosts)) {
        return reply.code(400).send(errorBody(400, `workerUrl ${JSON.stringify(request.body.workerUrl)} is refused: ${describeWorkerHostRule(workerHosts)}`));
      }
      const caller = request.joinToken ? { joinToken: request.joinToken } : { nodeId: request.principal!.nodeId! };
      try {
        const registered = await registerNode(pool, request.body, caller);
        // A re-registration rotated the node's credential: the old one stops now. For a new node
        // nothing is cached under its id, and its fresh credential is not cached yet: nothing lost.
        await keys?.revoked(registered.node.id);
        return reply.code(201).send(registered);
      } catch (error) {
        // The rotation may have committed though the call failed (an answer lost after COMMIT):
        // a node re-registering itself is forgotten anyway; an extra forget costs one lookup.
        if ('nodeId' in caller && caller.nodeId) await keys?.revoked(caller.nodeId);
        if (error instanceof NodeNameTakenError) return reply.code(409).send(errorBody(409, error.message));
        if (error instanceof JoinTokenRefusedError) return unauthorized(reply, error.message);
        throw error;
      }
    },
  );

  app.post(
    '/nodes/:id/heartbeat',
    {
      config: { auth: 'node', owner: 'node' },
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
      config: { auth: 'read' },
      schema: {
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('offline')])), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(NodeSchema), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request) => listNodes(pool, { status: request.query.status, limit: Number(request.query.limit ?? 20), cursor: request.query.cursor }),
  );

  app.get('/nodes/:id', { config: { auth: 'read' }, schema: { params: IdParams, response: { 200: NodeSchema, 404: ErrorSchema } } }, async (request, reply) => {
    const node = await getNode(pool, request.params.id);
    return node ?? reply.code(404).send(errorBody(404, `node ${request.params.id} not found`));
  });

  // A worker shutting down: offline now, its deployments back to the queue.
  app.post('/nodes/:id/deregister', { config: { auth: 'node', owner: 'node' }, schema: { params: IdParams } }, async (request, reply) => {
    const taken = await takeNodesOffline(pool, { id: request.params.id });
    if (taken.length === 0 && !(await getNode(pool, request.params.id))) return reply.code(404).send(errorBody(404, `node ${request.params.id} not found`));
    try {
      await retireNodeCredential(pool, request.params.id);
    } finally {
      // Also when the call failed: the UPDATE may have committed with its answer lost.
      await keys?.revoked(request.params.id);
    }
    return reply.code(204).send();
  });
};
