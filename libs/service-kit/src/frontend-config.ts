import { isServiceName, loadRegistry, publicUrlFor, resolveEntry, resolveSettings, serviceEntry, urlFor, type Registry } from '@hypernode/ports';

/**
 * What a frontend's browser code needs to reach the backend. Served at RUN time (the site's
 * `/config.js`, the deployer's root layout), never baked into a build, so one build runs in
 * every environment.
 */
export interface FrontendConfig {
  /** The api's URL as the BROWSER reaches it, e.g. `http://localhost:<api port>`. */
  apiUrl: string;
  /** The realtime server's WebSocket URL as the browser reaches it, e.g. `ws://localhost:3003`. */
  wsUrl: string;
  /**
   * The stack supervisor (`hypernode up`, registry service `supervisor`) as the browser reaches
   * it: logs and actions on the dashboard. From the registry in the development profile only (the
   * supervisor is a development tool: no staging or production stack runs one, and a page must
   * not ask a URL nothing answers), or from VITE_SUPERVISOR_URL in any profile. Absent, the
   * dashboard says logs need `npm start` without a request; present does not mean it runs (a
   * bare `nx run-many -t serve` has none): the dashboard checks.
   */
  supervisorUrl?: string;
  /** The instance slot the stack runs as (side-by-side checkouts); the dashboard shows it. */
  instance?: number;
  /** The checkout the stack runs from (HYPERNODE_WORKSPACE, set by the serve targets): development profile only. */
  checkout?: string;
}

/** The URL fields of the config (each from a variable or the registry). */
type UrlField = 'apiUrl' | 'wsUrl' | 'supervisorUrl';

/** The global the config script sets (`window.__HYPERNODE__`); the frontends read it. */
export const FRONTEND_CONFIG_GLOBAL = '__HYPERNODE__';

/** The path the site's servers (Vite dev/preview and the production server) answer with the config script. */
export const FRONTEND_CONFIG_PATH = '/config.js';

/**
 * Variables that override each field, first set wins. The VITE_ and NEXT_PUBLIC_ names are the
 * ones the frontends always read (`hypernode env site` prints them); both frontends accept both.
 */
export const FRONTEND_CONFIG_VARS = {
  apiUrl: ['VITE_BACKEND_API_URL', 'NEXT_PUBLIC_API_URL'],
  wsUrl: ['VITE_BACKEND_WS_URL', 'NEXT_PUBLIC_WS_URL'],
  supervisorUrl: ['VITE_SUPERVISOR_URL', 'NEXT_PUBLIC_SUPERVISOR_URL'],
} as const satisfies Record<UrlField, readonly string[]>;

const SCHEMES: Record<UrlField, readonly string[]> = { apiUrl: ['http:', 'https:'], wsUrl: ['ws:', 'wss:'], supervisorUrl: ['http:', 'https:'] };

/** A frontend config variable holds something a browser cannot use. */
export class FrontendConfigError extends Error {
  readonly code = 'E_FRONTEND_CONFIG';
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`${variable}=${JSON.stringify(value)} is not valid: expected ${expected}. Fix or unset ${variable} (unset, the registry's URL for the profile and instance is used).`);
    this.name = 'FrontendConfigError';
  }
}

function checkedUrl(variable: string, value: string, schemes: readonly string[], field: UrlField = 'apiUrl'): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !schemes.includes(url.protocol)) throw new FrontendConfigError(variable, value, `an absolute ${schemes.map((s) => s.slice(0, -1)).join(' or ')} URL, e.g. ${schemes[0]}//localhost:<port>`);
  // The api URL loses its trailing slash: the frontends append paths (`${apiUrl}/deployments`).
  // The WebSocket URL is used as given: behind a proxy its path is the route (`wss://host/ws/`),
  // and a proxy answers `/ws` without the slash with a redirect, which a WebSocket does not follow.
  return field !== 'wsUrl' ? value.replace(/\/+$/, '') : value;
}

function pick(field: UrlField, env: NodeJS.ProcessEnv): string | undefined {
  for (const variable of FRONTEND_CONFIG_VARS[field]) {
    const value = env[variable]?.trim();
    if (value) return checkedUrl(variable, value, SCHEMES[field], field);
  }
  return undefined;
}

/** The registry service the dashboard's logs and actions come from (see @hypernode/events dashboard.ts). */
export const SUPERVISOR_SERVICE = 'supervisor';

/**
 * The browser-facing backend URLs for this environment: an explicit variable
 * (FRONTEND_CONFIG_VARS) wins, else the registry's public URL of the api and the realtime
 * server for the profile and instance in `env` — and, in the development profile, of the
 * supervisor when the registry lists one (else no `supervisorUrl`). Throws FrontendConfigError
 * naming a bad value.
 */
export function frontendConfig(env: NodeJS.ProcessEnv = process.env, registry: Registry = loadRegistry()): FrontendConfig {
  const development = resolveSettings({ env }).profile === 'development';
  const supervisorUrl = pick('supervisorUrl', env) ?? (development && isServiceName(SUPERVISOR_SERVICE, registry) ? resolveEntry(serviceEntry(SUPERVISOR_SERVICE, registry), { env, registry }).publicUrl : undefined);
  return {
    apiUrl: pick('apiUrl', env) ?? publicUrlFor('api', { env, registry }),
    wsUrl: pick('wsUrl', env) ?? publicUrlFor('realtime', { env, registry }),
    ...(supervisorUrl ? { supervisorUrl } : {}),
  };
}

/**
 * Which stack the page belongs to, for the dashboard: the instance slot, and in the development
 * profile the checkout path (a production page never tells the browser a server path).
 */
export function frontendInstance(env: NodeJS.ProcessEnv = process.env): Pick<FrontendConfig, 'instance' | 'checkout'> {
  const { profile, instance } = resolveSettings({ env });
  const checkout = env.HYPERNODE_WORKSPACE?.trim();
  return { instance, ...(profile === 'development' && checkout ? { checkout } : {}) };
}

/**
 * The classic script that hands the config to the browser before the app's modules run:
 * `window.__HYPERNODE__ = {...}`. `<` is escaped so the text is also safe inline in HTML.
 */
export function frontendConfigScript(config: FrontendConfig): string {
  const json = JSON.stringify({ apiUrl: config.apiUrl, wsUrl: config.wsUrl, supervisorUrl: config.supervisorUrl, instance: config.instance, checkout: config.checkout }).replace(/</g, '\\u003c');
  return `window.${FRONTEND_CONFIG_GLOBAL} = Object.freeze(${json});\n`;
}

/**
 * The api URL a frontend's own SERVER calls (Next's server components render the first paint):
 * `API_URL` when set, else the registry's peer URL — which follows `HYPERNODE_NETWORK` and
 * `<NAME>_HOST`/`<NAME>_PORT`, so inside compose it names the api's service. Never the browser
 * URL: behind a proxy that is the public host (`https://example.org/api`), which the server may
 * not resolve or should not go out and back through.
 */
export function serverApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.API_URL?.trim();
  if (explicit) return checkedUrl('API_URL', explicit, SCHEMES.apiUrl);
  return urlFor('api', { env });
}
