export * from './errors.js';
export * from './lease-file.js';
export * from './leases.js';
export * from './liveness.js';
export * from './process-tree.js';
export * from './lock.js';
export * from './read.js';
