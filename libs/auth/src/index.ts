export * from './principal.js';
export * from './key-cache.js';
export * from './reason.js';
export * from './remote-principal.js';
export * from './scopes.js';
export * from './secrets.js';
export * from './worker-url.js';
export * from './rate-limit-store.js';
