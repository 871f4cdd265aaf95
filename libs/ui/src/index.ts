export * from './event-stream.js';
export * from './status-badge.js';
export * from './use-event-stream.js';
export * from './auth-client.js';
export * from './sign-in.js';
