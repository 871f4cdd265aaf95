import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedService } from '@hypernode/ports';
import { probe } from './probes.js';

/** One service's health at one moment. */
export interface HealthResult {
  name: string;
  kind: string;
  port: number;
  url: string;
  required: boolean;
  status: 'up' | 'down';
  latencyMs: number;
  detail: string;
}

/** Options for checks; all optional. */
export interface CheckOptions {
  /** Host to probe; default the service's own (`localhost`, or its compose name under HYPERNODE_NETWORK=compose). */
  host?: string;
  /** Per-probe timeout; default 2000 ms. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Probes one service. */
export async function checkService(service: ResolvedService, options: CheckOptions = {}): Promise<HealthResult> {
  const started = performance.now();
  const outcome = await probe(service.health, { host: options.host ?? service.host, port: service.port, timeoutMs: options.timeoutMs ?? 2000, env: options.env });
  return {
    name: service.name,
    kind: service.kind,
    port: service.port,
    url: service.url,
    required: service.required,
    status: outcome.up ? 'up' : 'down',
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    detail: outcome.detail,
  };
}

/** Probes every service at once. */
export function checkAll(services: readonly ResolvedService[], options: CheckOptions = {}): Promise<HealthResult[]> {
  return Promise.all(services.map((s) => checkService(s, options)));
}

/** True when every required service is up. */
export function allRequiredUp(results: readonly HealthResult[]): boolean {
  return results.every((r) => !r.required || r.status === 'up');
}

/**
 * Polls until every required service is up or `waitMs` passes; returns the last results
 * either way (the caller decides what a timeout means).
 */
export async function waitHealthy(
  services: readonly ResolvedService[],
  options: CheckOptions & { waitMs: number; intervalMs?: number },
): Promise<{ healthy: boolean; results: HealthResult[] }> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const results = await checkAll(services, options);
    if (allRequiredUp(results)) return { healthy: true, results };
    if (Date.now() >= deadline) return { healthy: false, results };
    await sleep(options.intervalMs ?? 500);
  }
}
