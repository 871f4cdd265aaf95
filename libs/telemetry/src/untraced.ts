import { PROBE_HEADER } from '@hypernode/events';

/** Probe paths: never traced, whoever calls them (the supervisor and the health sweep poll them all the time). */
const PROBES = new Set(['/health', '/ready', '/v1/traces']);

/** Files a dev server or a static server hands out: a trace each would be noise (Vite serves ~80 modules per page load). */
const ASSET = /\.(?:[cm]?jsx?|tsx?|css|map|svg|png|jpe?g|gif|webp|avif|ico|woff2?|ttf|otf|txt|webmanifest)$/i;

/** Dev-server internals: Vite's (`/@vite/client`, `/@fs/…`, `/@id/…`, pre-bundled deps) and Next's (`/_next/…`, `/__nextjs…`). */
const DEV_SERVER = /^\/(?:@|node_modules\/|_next\/|__nextjs)/;

/** Whether a request path is a probe (health, readiness, the OTLP endpoint itself). */
export function isProbePath(url: string | undefined): boolean {
  return PROBES.has((url ?? '').split('?')[0]!);
}

/**
 * Whether an incoming request stays untraced: probes (by path, or marked by the supervisor's
 * PROBE_HEADER — it probes the frontends at `/`), static files and dev-server internals. What
 * is left are the requests someone would open a trace of: API calls and server-rendered pages.
 * The store the dashboard reads keeps the newest traces only; without this a few page loads of
 * the Vite dev site pushed a deployment's trace out of it.
 */
export function untracedIncoming(request: { url?: string; headers: Record<string, string | string[] | undefined> }): boolean {
  if (request.headers[PROBE_HEADER] !== undefined) return true;
  const path = (request.url ?? '').split('?')[0]!;
  return PROBES.has(path) || DEV_SERVER.test(path) || ASSET.test(path);
}
