export * from './errors.js';
export * from './kinds.js';
export * from './registry.js';
export * from './resolve.js';
export * from './schema.js';
export * from './service-env.js';
export * from './service-names.js';
export * from './validate.js';
