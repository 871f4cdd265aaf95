export * from './contract.js';
export * from './deployment-state.js';
export * from './dashboard.js';
export * from './nullable.js';
