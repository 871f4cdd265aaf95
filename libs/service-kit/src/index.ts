export * from './bind.js';
export * from './errors.js';
export * from './main.js';
export * from './run-service.js';
export * from './fastify.js';
export * from './request-log.js';
export * from './readiness.js';
