import { PROBE_HEADER } from '@hypernode/events';

/** What one probe round found for a running service. */
export type ProbeResult =
  | { state: 'ready'; detail: string }
  | { state: 'unhealthy'; detail: string; dependency?: string }
  | { state: 'down'; detail: string };

/** What the supervisor needs to probe a service. */
export interface ProbeSpec {
  /** Host and port of its health endpoint. */
  host: string;
  port: number;
  /** Registry health path (`/health`, `/` for frontends). */
  healthPath: string;
  /** Ask `/ready` too (Node services built on service-kit); a 404 there means "no readiness: health is enough". */
  ready: boolean;
  /** Per-request timeout; default 800 ms (a dev server compiling a page on request needs more). */
  timeoutMs?: number;
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  // Marked as a probe: the services do not trace it (the frontends are probed at `/`, a page path).
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual', headers: { [PROBE_HEADER]: 'supervisor' } });
  const body = await res.text();
  return { status: res.status, body };
}

function why(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.cause?.code === 'ECONNREFUSED') return 'connection refused (nothing listening yet)';
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer before the timeout';
  return e.cause?.message ?? e.message ?? String(error);
}

/**
 * The dependency a 503 `/ready` names (service-kit's shape: `checks: [{name, ok, detail}]`),
 * and a short detail like "waits on redis (connect ECONNREFUSED)".
 */
export function readinessFailure(body: string): { dependency?: string; detail: string } {
  try {
    const parsed = JSON.parse(body) as { checks?: { name?: string; ok?: boolean; detail?: string }[]; message?: string; dependency?: string };
    const failed = (parsed.checks ?? []).filter((c) => c.ok === false && typeof c.name === 'string');
    if (failed.length > 0) return { dependency: failed[0]!.name, detail: `waits on ${failed.map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ''}`).join(', ')}` };
    if (parsed.dependency) return { dependency: parsed.dependency, detail: `waits on ${parsed.dependency}` };
    return { detail: parsed.message ?? 'not ready' };
  } catch {
    return { detail: `not ready: ${body.slice(0, 200)}` };
  }
}

/** Probes health (and `/ready`) once, each request bounded by `timeoutMs`. */
export async function probeService(spec: ProbeSpec, timeoutMs = spec.timeoutMs ?? 800): Promise<ProbeResult> {
  const base = `http://${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
  try {
    const health = await get(`${base}${spec.healthPath}`, timeoutMs);
    if (health.status >= 400) return { state: 'unhealthy', detail: `health ${spec.healthPath} answered HTTP ${health.status}` };
  } catch (error) {
    return { state: 'down', detail: why(error) };
  }
  if (!spec.ready) return { state: 'ready', detail: `${spec.healthPath} answers` };
  try {
    const ready = await get(`${base}/ready`, timeoutMs);
    if (ready.status === 200 || ready.status === 404) return { state: 'ready', detail: ready.status === 200 ? '/ready answers 200' : `${spec.healthPath} answers` };
    return { state: 'unhealthy', ...readinessFailure(ready.body) };
  } catch (error) {
    return { state: 'unhealthy', detail: `/ready: ${why(error)}` };
  }
}
