import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.js';

/** preHandler for worker endpoints: `Authorization: Bearer <HYPERNODE_WORKER_TOKEN>`. */
export function requireWorkerToken(token: string | undefined) {
  const expected = token ? Buffer.from(token) : undefined;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!expected) {
      return reply.code(503).send(errorBody(503, 'worker endpoints are closed: HYPERNODE_WORKER_TOKEN is not set on the api (npm start sets one)'));
    }
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const ok = given !== undefined && given.length === expected.length && timingSafeEqual(Buffer.from(given), expected);
    if (!ok) {
      return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody(401, 'missing or wrong bearer token: send Authorization: Bearer <HYPERNODE_WORKER_TOKEN>'));
    }
  };
}
