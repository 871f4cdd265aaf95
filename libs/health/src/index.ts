export * from './check.js';
export * from './probes.js';
