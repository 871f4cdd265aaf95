import { LOG_LEVELS, type LogLevel } from '@hypernode/events';

/** The dashboard's views; the URL fragment names one (`#/logs?…`), none = services. */
export type View = 'services' | 'logs' | 'traces' | 'deployments';
export const VIEWS: readonly View[] = ['services', 'logs', 'traces', 'deployments'];

/** Where the page is: the view and its parameters, all in the URL so a link or reload keeps them. */
export interface Route {
  view: View;
  /** logs: chosen services (empty = all) */
  services: string[];
  level?: LogLevel;
  q: string;
  /** traces: the open trace and the deployment filter */
  traceId?: string;
  deploymentId?: string;
}

/**
 * Parses `location.hash`. `#sign-in=…` (the one-time sign-in link) and anything unknown are the
 * services view: a hand-edited or stale link never shows a blank page.
 */
export function parseRoute(hash: string): Route {
  const m = /^#\/([a-z]+)(?:\/([^?]*))?(?:\?(.*))?$/.exec(hash);
  const route: Route = { view: 'services', services: [], q: '' };
  if (!m || !VIEWS.includes(m[1] as View)) return route;
  route.view = m[1] as View;
  const params = new URLSearchParams(m[3] ?? '');
  route.services = (params.get('services') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const level = params.get('level');
  if (level && LOG_LEVELS.includes(level as LogLevel)) route.level = level as LogLevel;
  route.q = params.get('q') ?? '';
  if (m[2]) route.traceId = decodeURIComponent(m[2]);
  const deploymentId = params.get('deploymentId');
  if (deploymentId) route.deploymentId = deploymentId;
  return route;
}

/** The fragment for a route (the services view with nothing else is the bare page: no fragment). */
export function formatRoute(route: Partial<Route> & { view: View }): string {
  const params = new URLSearchParams();
  if (route.services?.length) params.set('services', route.services.join(','));
  if (route.level) params.set('level', route.level);
  if (route.q) params.set('q', route.q);
  if (route.deploymentId) params.set('deploymentId', route.deploymentId);
  const query = params.toString().replace(/%2C/g, ',');
  const path = route.traceId ? `/${encodeURIComponent(route.traceId)}` : '';
  if (route.view === 'services' && !query) return '#/services';
  return `#/${route.view}${path}${query ? `?${query}` : ''}`;
}

/** A link to the logs view, e.g. from a service's error count. */
export const logsLink = (services: string[], level?: LogLevel, q = '') => formatRoute({ view: 'logs', services, level, q });
/** A link to a trace's waterfall. */
export const traceLink = (traceId: string) => formatRoute({ view: 'traces', traceId });
