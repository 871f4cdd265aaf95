import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { IllegalTransitionError } from '@hypernode/events';
import { errorBody, registerErrorHandling as registerShared, type ErrorMapper } from '@hypernode/service-kit';
import { BadCursorError, IdempotencyKeyReusedError, NotAssignedError } from '@hypernode/store';

export { errorBody };

/** Schema of the error shape, for route responses and the OpenAPI document. */
export const ErrorSchema = Type.Object({ statusCode: Type.Integer(), error: Type.String(), message: Type.String() }, { additionalProperties: true });

/** The api's own errors: an illegal state move is 409 with the current state; a bad cursor 400; a node reporting on another's deployment 403; an Idempotency-Key reused with another body 422. */
const apiErrors: ErrorMapper = (error) => {
  if (error instanceof IllegalTransitionError) return { statusCode: 409, message: error.message, extra: { status: error.from } };
  if (error instanceof BadCursorError) return { statusCode: 400, message: error.message };
  if (error instanceof NotAssignedError) return { statusCode: 403, message: error.message };
  if (error instanceof IdempotencyKeyReusedError) return { statusCode: 422, message: error.message, extra: { deploymentId: error.deploymentId } };
  return undefined;
};

/** The shared error handling (service-kit: 503 naming a dependency that is down, …) plus the api's own errors. */
export function registerErrorHandling(app: FastifyInstance): void {
  registerShared(app, 'api', [apiErrors]);
}
