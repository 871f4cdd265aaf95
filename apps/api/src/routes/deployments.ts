import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { shortReason } from '@hypernode/auth';
import { DEPLOYMENT_STATES, DeploymentSchema, Nullable } from '@hypernode/events';
import type { Pool } from 'pg';
import { errorBody, ErrorSchema } from '../plugins/errors.js';
import { createDeploymentOnce, getDeployment, listDeployments, transitionDeployment } from '@hypernode/store';
import { tagDeployment } from '@hypernode/telemetry';

/** A one-line name: no NUL or other control character (PostgreSQL text refuses NUL; the rest make no sense in a name). */
export const NAME_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';
/** A path id: a UUID exactly as PostgreSQL parses it (ajv's `uuid` format also takes a `urn:uuid:` prefix). */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }) });
/** `limit` and `cursor` of a paged list; the cursor is opaque and decoded strictly by the store. */
export const PageQuery = {
  limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1–100, default 20' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page' })),
};
const Status = Type.Enum(DEPLOYMENT_STATES);
/** `Idempotency-Key` of POST /deployments: printable ASCII, no spaces (a UUID fits). */
export const IdempotencyKey = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'Makes the create safe to retry: the same key with the same body answers the deployment the first request made (header Idempotent-Replayed: true) instead of a second one; with another body, 422. Per caller; e.g. a UUID per deployment you mean to make',
});

/** LLM deployments: create and cancel (`deploy`), list and read (`read`); progress reports from the node it is assigned to. */
export const deploymentsRoutes: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.post(
    '/deployments',
    {
      config: { auth: 'deploy' },
      schema: {
        body: Type.Object(
          {
            model: Type.String({ minLength: 1, maxLength: 200, pattern: NAME_PATTERN, description: 'Model name, e.g. llama-3-8b' }),
            gpuModel: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: NAME_PATTERN, description: 'Required GPU model; any when omitted' })),
            minVramGb: Type.Number({ exclusiveMinimum: 0, maximum: 4096, description: 'VRAM the model needs, GB' }),
            maxDurationS: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600, description: 'Stop after this many seconds' })),
          },
          { additionalProperties: false },
        ),
        headers: Type.Object({ 'idempotency-key': Type.Optional(IdempotencyKey) }),
        response: { 201: DeploymentSchema, 422: ErrorSchema },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const principal = request.principal!;
      // Keys are the caller's own: the same key from another key or session is another deployment.
      const { deployment, replayed } = await createDeploymentOnce(pool, request.body, key === undefined ? undefined : { key, owner: `${principal.kind}:${principal.id}` });
      // The request's span names the deployment: the dashboard finds its trace by this attribute.
      tagDeployment(deployment.id);
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(deployment);
    },
  );

  app.get(
    '/deployments',
    {
      config: { auth: 'read' },
      schema: {
        querystring: Type.Object(
          { status: Type.Optional(Status), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(DeploymentSchema), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request) => listDeployments(pool, { status: request.query.status, limit: Number(request.query.limit ?? 20), cursor: request.query.cursor }),
  );

  app.get('/deployments/:id', { config: { auth: 'read' }, schema: { params: IdParams, response: { 200: DeploymentSchema, 404: ErrorSchema } } }, async (request, reply) => {
    const deployment = await getDeployment(pool, request.params.id);
    return deployment ?? reply.code(404).send(errorBody(404, `deployment ${request.params.id} not found`));
  });

  app.post('/deployments/:id/cancel', { config: { auth: 'deploy' }, schema: { params: IdParams, response: { 200: DeploymentSchema, 404: ErrorSchema } } }, async (request, reply) => {
    const deployment = await transitionDeployment(pool, request.params.id, 'cancelled');
    return deployment ?? reply.code(404).send(errorBody(404, `deployment ${request.params.id} not found`));
  });

  // The assigned node reports progress and outcome; `queued` hands a deployment back (the worker is leaving).
  app.post(
    '/deployments/:id/progress',
    {
      config: { auth: 'node', owner: 'deployment' },
      schema: {
        params: IdParams,
        body: Type.Object(
          {
            status: Type.Enum(['running', 'completed', 'failed', 'queued'] as const),
            progress: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
            // Stored as a short, single-line reason (shortReason): never a worker's whole output.
            error: Type.Optional(Type.String({ maxLength: 4000, description: 'why it failed; control characters are stripped and it is cut to 500 characters' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: DeploymentSchema, 403: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { status, progress, error } = request.body;
      // THE owner check of this route (config owner 'deployment': the auth hook leaves it here):
      // assignedTo, under the deployment's row lock, so a node never reports on another's
      // deployment, and a late report from a node the deployment was taken from never moves it
      // (NotAssignedError → 403). The trace is tagged with the deployment only once that passed.
      const node = request.principal?.nodeId;
      if (!node) return reply.code(403).send(errorBody(403, 'only the assigned GPU node reports progress (Bearer hnn_…)')); // the auth hook already refused it
      const deployment = await transitionDeployment(pool, request.params.id, status, { progress, error: error === undefined ? undefined : shortReason(error), assignedTo: node, ...(status === 'queued' ? { nodeId: null } : {}) });
      if (!deployment) return reply.code(404).send(errorBody(404, `deployment ${request.params.id} not found`));
      tagDeployment(deployment.id);
      return deployment;
    },
  );
};
