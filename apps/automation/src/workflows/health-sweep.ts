import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { servicesHealthKey, type ServiceHealth, type ServicesHealthSnapshot } from '@hypernode/events';
import { checkAll } from '@hypernode/health';
import { listServices } from '@hypernode/ports';
import { recordEvent, withTransaction } from '@hypernode/store';

/** What the health sweep needs. */
export interface HealthSweepOptions {
  pool: Pool;
  /** Where the snapshot is stored (commands bounded by the client's commandTimeout). */
  redis: Redis;
  /** Key prefix; the snapshot lives at servicesHealthKey(prefix). */
  prefix: string;
  /** The sweep's interval: the snapshot lives a few of them, so a stopped engine's results expire. */
  sweepMs: number;
  /** Timeout of each service probe. */
  probeTimeoutMs?: number;
  /** The services to check; the registry's by default. */
  services?: () => ReturnType<typeof listServices>;
}

/** A sweep whose results could not be stored or announced; the next sweep tries again. */
export class HealthSweepError extends Error {
  readonly code = 'E_HEALTH_SWEEP';
}

/** How many sweep intervals a snapshot outlives its sweep. */
const SNAPSHOT_LIFETIME_SWEEPS = 5;

/**
 * The `health-sweep` workflow: checks every registry service, stores the results as the
 * `ServicesHealthSnapshot` the api's `/services` serves (with a TTL of a few sweeps), and
 * writes one `service.health` event (topic `services`) only when a status changed since the
 * last event this engine wrote.
 */
export function createHealthSweep(options: HealthSweepOptions) {
  let last = '';
  return async (): Promise<{ changed: boolean; services: ServiceHealth[] }> => {
    const results = await checkAll((options.services ?? listServices)(), { timeoutMs: options.probeTimeoutMs ?? 1500 });
    const services = results.map((r) => ({ name: r.name, port: r.port, status: r.status, latencyMs: r.latencyMs, detail: r.detail }));
    const snapshot: ServicesHealthSnapshot = { checkedAt: new Date().toISOString(), services };
    const signature = services.map((s) => `${s.name}:${s.status}`).join(',');
    const changed = signature !== last;
    const [stored, recorded] = await Promise.allSettled([
      options.redis.set(servicesHealthKey(options.prefix), JSON.stringify(snapshot), 'PX', Math.max(SNAPSHOT_LIFETIME_SWEEPS * options.sweepMs, 5000)),
      changed ? withTransaction(options.pool, (client) => recordEvent(client, 'service.health', { services })) : Promise.resolve(undefined),
    ]);
    if (recorded.status === 'rejected') throw new HealthSweepError(`health sweep could not write its service.health event (${(recorded.reason as Error).message}); the next sweep writes it`);
    if (changed) last = signature;
    if (stored.status === 'rejected') throw new HealthSweepError(`health sweep could not store its snapshot at ${servicesHealthKey(options.prefix)} (${(stored.reason as Error).message}); the next sweep stores it`);
    return { changed, services };
  };
}
