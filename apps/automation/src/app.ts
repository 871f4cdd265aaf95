import { logOneLinePerRequest } from '@hypernode/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { JobType } from 'bullmq';
import type { Pool } from 'pg';
import { WORKFLOWS, type Engine, type WorkflowName } from './engine.js';

const STATES = ['active', 'waiting', 'delayed', 'completed', 'failed'];
const error = (statusCode: number, err: string, message: string) => ({ statusCode, error: err, message });

/** The engine's HTTP side, built without listening. */
export function buildApp(options: { engine: Engine; pool: Pool; logger?: boolean | object }): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, disableRequestLogging: true, ajv: { customOptions: { removeAdditional: false, coerceTypes: false } } });
  const { engine, pool } = options;

  app.get('/health', async () => ({ status: 'ok', service: 'automation', uptime: process.uptime() }));
  app.get('/ready', async (_request, reply) => {
    const checks = await Promise.all([
      pool.query('SELECT 1').then(() => ({ name: 'postgres', ok: true }), (e: Error) => ({ name: 'postgres', ok: false, detail: e.message })),
      engine.queue.getJobCounts().then(() => ({ name: 'redis', ok: true }), (e: Error) => ({ name: 'redis', ok: false, detail: e.message })),
    ]);
    const failed = checks.filter((c) => !c.ok);
    return failed.length === 0 ? { status: 'ready', checks } : reply.code(503).send({ ...error(503, 'Service Unavailable', `not ready: ${failed.map((c) => c.name).join(', ')}`), checks });
  });
  app.get('/workflows', async () => Object.entries(WORKFLOWS).map(([name, description]) => ({ name, description })));
  app.get<{ Querystring: { status?: string } }>(
    '/runs',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: STATES } } } } },
    async (request) => engine.runs(request.query.status as JobType | undefined),
  );
  app.post<{ Params: { name: string }; Body: { deploymentId?: string } | undefined }>('/workflows/:name/run', async (request, reply) => {
    const name = request.params.name;
    if (!(name in WORKFLOWS)) return reply.code(404).send(error(404, 'Not Found', `unknown workflow "${name}": use ${Object.keys(WORKFLOWS).join(', ')}`));
    const deploymentId = request.body?.deploymentId;
    if (name === 'deploy' && (typeof deploymentId !== 'string' || !/^[0-9a-f-]{36}$/.test(deploymentId))) {
      return reply.code(400).send(error(400, 'Bad Request', 'deploy needs a body {"deploymentId": "<uuid>"}'));
    }
    const job = await engine.run(name as WorkflowName, { deploymentId });
    return reply.code(202).send({ workflow: name, jobId: job.id });
  });
  logOneLinePerRequest(app);
  return app;
}
