import { portFor } from '@hypernode/ports';

/** The queue of `deploy` steps (its name predates the maintenance queue, so jobs in flight survive an upgrade). */
export const DEPLOY_QUEUE = 'hypernode';
/** The queue of node-watchdog, health-sweep and prune-events, served by its own worker. */
export const MAINTENANCE_QUEUE = 'hypernode-maintenance';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a strict UUID (8-4-4-4-12 lowercase hex digits, as PostgreSQL and the api write them), the only deployment id there is. */
export function isDeploymentId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** BullMQ connection options from a `redis://` URL. */
export function connectionOf(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || portFor('redis')),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
    // BullMQ's default backs off up to 20 s between reconnects: after a long outage the engine
    // would stay away that long once Redis is back. Capped at 1 s instead.
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
}
