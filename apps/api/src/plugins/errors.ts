import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { IllegalTransitionError } from '@hypernode/events';
import { BadCursorError } from '@hypernode/store';

/** Schema of the error shape, for route responses and the OpenAPI document. */
export const ErrorSchema = Type.Object({ statusCode: Type.Integer(), error: Type.String(), message: Type.String() }, { additionalProperties: true });

/** The one error shape every route answers with. */
export function errorBody(statusCode: number, message: string, extra: Record<string, unknown> = {}) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...extra };
}

/**
 * Every error becomes `{statusCode, error, message}`: validation, malformed JSON and bodies
 * over the limit keep their 4xx; illegal state moves are 409 with the current state; anything
 * unexpected is a logged 500 that leaks nothing.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof IllegalTransitionError) return reply.code(409).send(errorBody(409, error.message, { status: error.from }));
    if (error instanceof BadCursorError) return reply.code(400).send(errorBody(400, error.message));
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send(errorBody(status, error.message));
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send(errorBody(500, `unexpected error; see the api log for request ${request.id}`));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}; see /docs/json`)));
}
