import type { Pool } from 'pg';
import type { ServiceHealth } from '@hypernode/events';
import { checkAll } from '@hypernode/health';
import { listServices } from '@hypernode/ports';
import { recordEvent, withTransaction } from '@hypernode/store';

/**
 * The `health-sweep` workflow: checks every registry service and, when any status changed
 * since the last sweep, writes one `service.health` event (topic `services`).
 */
export function createHealthSweep(pool: Pool) {
  let last = '';
  return async (): Promise<{ changed: boolean; services: ServiceHealth[] }> => {
    const results = await checkAll(listServices(), { timeoutMs: 1500 });
    const services = results.map((r) => ({ name: r.name, port: r.port, status: r.status, latencyMs: r.latencyMs, detail: r.detail }));
    const signature = services.map((s) => `${s.name}:${s.status}`).join(',');
    const changed = signature !== last;
    if (changed) {
      await withTransaction(pool, (client) => recordEvent(client, 'service.health', { services }));
      last = signature;
    }
    return { changed, services };
  };
}
