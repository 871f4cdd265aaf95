export * from './ansi.js';
export * from './format.js';
export * from './log-buffer.js';
export * from './service-colour.js';
export * from './shortcuts.js';
export * from './supervisor-client.js';
export * from './theme.js';
export * from './components.js';
