import { STATUS_CODES } from 'node:http';

/** One dependency a service needs to do its work, and how to ask it whether it answers. */
export interface ReadinessCheck {
  /** The dependency's registry name (`postgres`, `redis`, `api`, …). */
  name: string;
  /** Resolves when the dependency answers; anything thrown (or no answer in time) means down. */
  probe: () => Promise<unknown>;
}

/** One dependency's state as `/ready` reports it. */
export interface CheckResult {
  name: string;
  ok: boolean;
  latencyMs: number;
  detail: string;
}

/** What `/ready` answers: 200 when every check passed, else 503 in the shared error shape. */
export interface ReadinessReport {
  httpStatus: 200 | 503;
  body: Record<string, unknown> & { status: 'ready' | 'unavailable'; service: string; checks: CheckResult[] };
}

/** Longest one readiness probe may take before it counts as down. */
export const READY_PROBE_TIMEOUT_MS = 1000;

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name: check.name, ok: true, latencyMs: Math.round(performance.now() - started), detail: 'ok' };
  } catch (error) {
    return { name: check.name, ok: false, latencyMs: Math.round(performance.now() - started), detail: (error as Error).message || String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every check at once, each bounded by `timeoutMs`, and builds the `/ready` answer every
 * service shares: `{status: 'ready', service, checks}` (200), or
 * `{statusCode: 503, error, message: 'not ready: redis (…)', status: 'unavailable', service, checks}`.
 */
export async function checkReadiness(service: string, checks: readonly ReadinessCheck[], timeoutMs = READY_PROBE_TIMEOUT_MS): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((c) => runCheck(c, timeoutMs)));
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return { httpStatus: 200, body: { status: 'ready', service, checks: results } };
  return {
    httpStatus: 503,
    body: {
      statusCode: 503,
      error: STATUS_CODES[503]!,
      message: `${service} not ready: ${failed.map((c) => `${c.name} (${c.detail})`).join(', ')}`,
      status: 'unavailable',
      service,
      checks: results,
    },
  };
}

/** The `/health` answer every service shares: liveness only, never a dependency. */
export function healthBody(service: string): { status: 'ok'; service: string; uptimeS: number; pid: number } {
  return { status: 'ok', service, uptimeS: Math.round(process.uptime()), pid: process.pid };
}
