export * from './deployments.js';
export * from './migrate.js';
export * from './nodes.js';
export * from './rows.js';
export * from './transaction.js';
