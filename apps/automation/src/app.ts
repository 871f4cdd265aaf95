import { hasScope, RemoteAuthError, type Principal, type RemotePrincipal } from '@hypernode/auth';
import { checkReadiness, errorBody, healthBody, lazyChildLogger, logOneLinePerRequest, quietRequestLogging, registerErrorHandling, withDeadline } from '@hypernode/service-kit';
import { browserOrigins } from '@hypernode/ports';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { JobType } from 'bullmq';
import type { Pool } from 'pg';
import { WORKFLOWS, type Engine, type WorkflowName } from './engine.js';
import { isDeploymentId } from './queues.js';

const STATES = ['active', 'waiting', 'delayed', 'completed', 'failed'];
// BullMQ's connections retry forever by design: calls from a request are bounded here instead.
const REDIS_DEADLINE_MS = 700;

/** Routes anyone may call; every other route needs an `admin` principal. */
const PUBLIC = new Set(['/health', '/ready']);

/**
 * onRequest guard (before validation: 401 before 400): asks the api who the caller is (the
 * api is the one auth authority) and lets only `admin` through; 401 and 403 as the api would
 * answer, 503 naming the api when it does not answer in time.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function requireAdmin(principalOf: RemotePrincipal['principalOf'], allowedOrigins: ReadonlySet<string>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (PUBLIC.has(request.routeOptions.url ?? '')) return;
    let principal: Principal;
    try {
      principal = await principalOf({ authorization: request.headers.authorization, cookie: request.headers.cookie });
    } catch (error) {
      if (!(error instanceof RemoteAuthError)) throw error;
      if (error.statusCode === 401) reply.header('www-authenticate', 'Bearer');
      if (error.statusCode === 503) reply.header('retry-after', '1');
      return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message, error.dependency ? { dependency: error.dependency } : {}));
    }
    // A cookie rides along on any request the browser makes (every localhost port is the same
    // site), so a cookie-authenticated change must come from one of the registry's frontends.
    const origin = request.headers.origin;
    if (!SAFE_METHODS.has(request.method) && !request.headers.authorization && request.headers.cookie && (!origin || !allowedOrigins.has(origin))) {
      return reply.code(403).send(errorBody(403, `a change with the session cookie must come from one of the registry's frontends (Origin ${origin ?? 'missing'}); scripts send Authorization: Bearer <key>`));
    }
    if (!hasScope(principal.scopes, 'admin')) {
      return reply.code(403).send(errorBody(403, `the automation API needs the admin scope; this ${principal.kind} has ${principal.scopes.join(', ') || 'none'}: use an admin key (\`npx hypernode keys create --scope admin\`)`));
    }
  };
}

/** The engine's HTTP side, built without listening; `principalOf` asks the api who a caller is. */
export function buildApp(options: { engine: Engine; pool: Pool; principalOf: RemotePrincipal['principalOf']; allowedOrigins?: readonly string[]; logger?: boolean | object }): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, logController: quietRequestLogging(), childLoggerFactory: lazyChildLogger, ajv: { customOptions: { removeAdditional: false, coerceTypes: false } } });
  const { engine, pool } = options;

  registerErrorHandling(app, 'automation');
  app.addHook('onRequest', requireAdmin(options.principalOf, new Set(options.allowedOrigins ?? browserOrigins())));
  app.get('/health', async () => healthBody('automation'));
  app.get('/ready', async (_request, reply) => {
    const report = await checkReadiness('automation', [
      { name: 'postgres', probe: () => pool.query('SELECT 1') },
      { name: 'redis', probe: () => engine.queue.getJobCounts() },
    ]);
    return reply.code(report.httpStatus).send(report.body);
  });
  app.get('/workflows', async () => Object.entries(WORKFLOWS).map(([name, description]) => ({ name, description })));
  app.get<{ Querystring: { status?: string } }>(
    '/runs',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: STATES } } } } },
    async (request) => withDeadline(engine.runs(request.query.status as JobType | undefined), REDIS_DEADLINE_MS, 'redis'),
  );
  app.post<{ Params: { name: string }; Body: { deploymentId?: unknown } | undefined }>('/workflows/:name/run', async (request, reply) => {
    const name = request.params.name;
    // Own properties only: `toString`, `__proto__` and friends are not workflows.
    if (!Object.hasOwn(WORKFLOWS, name)) return reply.code(404).send(errorBody(404, `unknown workflow ${JSON.stringify(name.slice(0, 80))}: use ${Object.keys(WORKFLOWS).join(', ')}`));
    const deploymentId = request.body?.deploymentId;
    if (name === 'deploy' && !isDeploymentId(deploymentId)) {
      return reply.code(400).send(errorBody(400, 'deploy needs a body {"deploymentId": "<uuid>"} with the id of a deployment (8-4-4-4-12 hex digits)'));
    }
    const job = await withDeadline(engine.run(name as WorkflowName, name === 'deploy' ? { deploymentId: deploymentId as string } : {}), REDIS_DEADLINE_MS, 'redis');
    return reply.code(202).send({ workflow: name, jobId: job.id });
  });
  logOneLinePerRequest(app);
  return app;
}
