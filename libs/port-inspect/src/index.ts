export * from './holders.js';
export * from './listeners.js';
export * from './lsof.js';
export * from './netstat.js';
export * from './proc-net.js';
export * from './stop.js';
export * from './types.js';
