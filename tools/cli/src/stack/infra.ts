import { join } from 'node:path';
import { checkService, waitHealthy } from '@hypernode/health';
import type { ResolvedService } from '@hypernode/ports';
import { APP_DATABASE, ensureDatabase } from './database.js';
import { recordStarting } from './infra-record.js';
import { startLocalPostgres, startLocalRedis, type StartedInfra } from './local-infra.js';

/** Where `npm start` keeps the data of infra it starts itself (git-ignored). */
export const STATE_DIR = '.hypernode';

/** Longest a server started here may take to answer. */
const START_WAIT_MS = 20_000;

const STARTERS: Record<string, (stateDir: string, port: number) => StartedInfra> = {
  postgres: startLocalPostgres,
  redis: startLocalRedis,
};

/**
 * Makes sure PostgreSQL and Redis answer on their registry ports, starting them from local
 * binaries when they do not; reports the optional services (Solana) without failing; creates
 * the instance's `database` (default `hypernode`) when missing — none when `database` is null
 * (an explicit DATABASE_URL names a database its owner made: creating the default one beside it
 * would leave a stray `hypernode` role and database in someone else's server).
 * Returns what it started, so the caller can stop it again.
 */
export async function ensureInfra(services: readonly ResolvedService[], root: string, log: (line: string) => void, stack: string | null = null, database: string | null = APP_DATABASE.name): Promise<StartedInfra[]> {
  const started: StartedInfra[] = [];
  const infra = services.filter((s) => s.kind === 'infra' || s.kind === 'blockchain');
  try {
    for (const service of infra) {
      const result = await checkService(service);
      if (result.status === 'up') {
        log(`${service.name}: up on :${service.port} (${result.detail})`);
      } else if (!service.required) {
        log(`${service.name}: not running on :${service.port} (optional, skipped)`);
      } else {
        const start = STARTERS[service.health.type];
        if (!start) throw new Error(`${service.name} is down on :${service.port} (${result.detail}) and there is no local starter for it`);
        log(`${service.name}: not reachable on :${service.port} (${result.detail}); starting it from local binaries, data in ${STATE_DIR}/`);
        recordStarting(root, service.health.type as 'postgres' | 'redis', stack);
        started.push(start(join(root, STATE_DIR), service.port));
        // A daemonised server may not listen yet when its starter returns (redis-server --daemonize
        // forks first; on a loaded machine binding takes a while): polled, bounded.
        const again = await waitHealthy([service], { timeoutMs: 2_000, waitMs: START_WAIT_MS, intervalMs: 200 });
        const detail = again.results[0]?.detail ?? 'no answer';
        if (!again.healthy) throw new Error(`${service.name} was started but does not answer on :${service.port} within ${START_WAIT_MS / 1000} s (${detail}); see ${STATE_DIR}/${service.name}*.log`);
      }
      if (service.health.type !== 'postgres') continue;
      if (database === null) log(`postgres: DATABASE_URL is set: its database is used as it is, no role or database is created`);
      else await ensureDatabase(service.port, log, process.env, database);
    }
  } catch (error) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw error;
  }
  return started;
}
