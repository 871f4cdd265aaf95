import { cookies } from 'next/headers';
import type { DeploymentRecord } from '@hypernode/events';
import { serverApiUrl } from '@hypernode/service-kit/frontend-config';
import { unreachable } from './api';

// Server components only (next/headers): the first paint of each page. The server reaches the
// api on its peer URL (API_URL, or the registry's for HYPERNODE_NETWORK), read at request time.

/** The api's session cookie (see the auth contract). */
const SESSION_COOKIE = 'hn_session';

/** What a server-side fetch found out; `signedIn: false` → render the sign-in page. */
export interface ServerFetch {
  signedIn: boolean;
  error?: string;
}

/**
 * Server-side api calls act for the browser that asked: its session cookie goes along — only
 * that one (localhost cookies are shared by every port, other apps' cookies stay here).
 */
async function forwardedHeaders(): Promise<Record<string, string>> {
  const session = (await cookies()).get(SESSION_COOKIE);
  return session ? { cookie: `${SESSION_COOKIE}=${session.value}` } : {};
}

/** Server-side first paint: the newest deployments, or an error message. */
export async function fetchDeployments(): Promise<ServerFetch & { items: DeploymentRecord[] }> {
  const headers = await forwardedHeaders();
  // No session: the sign-in page, without asking the api (health probes of this page would log a 401 each).
  if (!headers.cookie) return { items: [], signedIn: false };
  try {
    const res = await fetch(`${serverApiUrl()}/deployments?limit=50`, { cache: 'no-store', headers });
    if (res.status === 401) return { items: [], signedIn: false };
    if (!res.ok) return { items: [], signedIn: true, error: `API answered ${res.status}` };
    return { items: ((await res.json()) as { items: DeploymentRecord[] }).items, signedIn: true };
  } catch {
    return { items: [], signedIn: true, error: unreachable(serverApiUrl()) };
  }
}

/** Server-side first paint of one deployment. */
export async function fetchDeployment(id: string): Promise<ServerFetch & { deployment?: DeploymentRecord }> {
  const headers = await forwardedHeaders();
  if (!headers.cookie) return { signedIn: false };
  try {
    const res = await fetch(`${serverApiUrl()}/deployments/${encodeURIComponent(id)}`, { cache: 'no-store', headers });
    if (res.status === 401) return { signedIn: false };
    if (res.status === 404 || res.status === 400) return { signedIn: true, error: `No deployment ${id}` };
    if (!res.ok) return { signedIn: true, error: `API answered ${res.status}` };
    return { signedIn: true, deployment: (await res.json()) as DeploymentRecord };
  } catch {
    return { signedIn: true, error: unreachable(serverApiUrl()) };
  }
}
