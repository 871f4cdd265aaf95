import type { DeploymentRecord, NodeRecord, ServiceHealth } from '@hypernode/events';
import { NotSignedInError } from '@hypernode/ui';
import { runtimeConfig } from './runtime-config.js';

/** Where the backend lives, as the server of this page says at run time (`/config.js`). */
export const API_URL = runtimeConfig().apiUrl;
export const WS_URL = runtimeConfig().wsUrl;
/** The stack supervisor (`hypernode up`): logs and actions; absent from the config when the registry has none. */
export const SUPERVISOR_URL = runtimeConfig().supervisorUrl;
/** The instance slot and (development) checkout this page's stack runs as, for the header. */
export const INSTANCE = { slot: runtimeConfig().instance, checkout: runtimeConfig().checkout };

/** What to do when `/config.js` gave no api URL. */
export const NO_CONFIG = 'The backend URLs did not load (/config.js): start the site with `npm start` or `npx nx run site:serve` (production: `node main.js` in dist/apps/site), or set VITE_BACKEND_API_URL for its server';

/** One row of the port map as GET /services returns it. */
export interface ServiceRow {
  name: string;
  kind: string;
  port: number;
  url: string;
  purpose: string;
  required: boolean;
  health: { status: 'up' | 'down'; latencyMs: number; detail: string; checkedAt: string };
}

/** The api could not be reached; the message says what to do. */
export class ApiUnreachable extends Error {}

async function get<T>(path: string): Promise<T> {
  if (!API_URL) throw new ApiUnreachable(NO_CONFIG);
  let res: Response;
  try {
    // The session cookie (HttpOnly, set by the api's /auth/sign-in) goes with every call.
    res = await fetch(`${API_URL}${path}`, { credentials: 'include' });
  } catch {
    throw new ApiUnreachable(`API unreachable on :${new URL(API_URL).port} — is \`npm start\` running? \`npx hypernode health\``);
  }
  if (res.status === 401) throw new NotSignedInError();
  if (!res.ok) throw new ApiUnreachable(`API answered ${res.status} for ${path}`);
  return (await res.json()) as T;
}

/** Everything the dashboard shows, fetched once; live events keep it current. */
export async function loadDashboard(): Promise<{ services: ServiceRow[]; nodes: NodeRecord[]; deployments: DeploymentRecord[] }> {
  const [services, nodes, page] = await Promise.all([get<ServiceRow[]>('/services'), get<{ items: NodeRecord[] }>('/nodes?limit=100'), get<{ items: DeploymentRecord[] }>('/deployments?limit=100')]);
  return { services, nodes: nodes.items, deployments: page.items };
}

/** Applies a `service.health` sweep to the port map. */
export function applyHealth(services: ServiceRow[], sweep: ServiceHealth[]): ServiceRow[] {
  const now = new Date().toISOString();
  return services.map((s) => {
    const h = sweep.find((x) => x.name === s.name);
    return h ? { ...s, health: { status: h.status, latencyMs: h.latencyMs, detail: h.detail, checkedAt: now } } : s;
  });
}

/** Inserts or replaces a record by id, newest first. */
export function upsert<T extends { id: string }>(list: T[], item: T): T[] {
  const rest = list.filter((x) => x.id !== item.id);
  return list.some((x) => x.id === item.id) ? list.map((x) => (x.id === item.id ? item : x)) : [item, ...rest];
}
