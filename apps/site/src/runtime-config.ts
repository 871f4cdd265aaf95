import type { FrontendConfig } from '@hypernode/service-kit/frontend-config';

/**
 * The global `/config.js` sets before the app's modules run (FRONTEND_CONFIG_GLOBAL in
 * @hypernode/service-kit/frontend-config; only the type is imported: that module is server-side).
 */
export const CONFIG_GLOBAL = '__HYPERNODE__';

/**
 * The backend URLs the server that delivered this page handed over in `/config.js` (the Vite
 * dev/preview server or the production server, each from its own environment), or undefined
 * when the script did not load.
 */
export function runtimeConfig(scope: object = globalThis): Partial<FrontendConfig> {
  const config = (scope as Record<string, unknown>)[CONFIG_GLOBAL];
  return config && typeof config === 'object' ? (config as Partial<FrontendConfig>) : {};
}
