export * from './contract.js';
export * from './deployment-state.js';
