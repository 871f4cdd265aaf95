import type { Command } from 'commander';
import { leaseFilePath, listLeases, pruneStale, type LeaseStatus } from '@hypernode/instances';
import { instanceDatabaseName, instanceRedisPrefix, isAppKind, listServices, workspaceRoot } from '@hypernode/ports';
import { CliError, resolveOptions, withCommon, type CommonOptions } from '../common.js';
import { printRows } from '../output.js';
import { confirm } from '../confirm.js';

/** `2h 05m`, `3m 12s`, `40s`. */
function uptime(started: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(started)) / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Every app's port for one slot: `{api: 3102, …}`. */
function slotPorts(slot: number, options: CommonOptions): Record<string, number> {
  const resolve = resolveOptions({ ...options, instance: String(slot) }, {});
  return Object.fromEntries(listServices(resolve).filter((s) => isAppKind(s.kind)).map((s) => [s.name, s.port]));
}

interface PruneOptions extends CommonOptions {
  dropData?: boolean;
  yes?: boolean;
}

/** `hypernode instances` (live leases) and `hypernode instances prune` (stale ones, optionally with their data). */
export function registerInstances(program: Command): void {
  const instances = withCommon(
    program.command('instances').description('list the running instances of every checkout on this machine: slot, ports, checkout path, pid, uptime (leases in ~/.hypernode/instances.json)'),
  ).action(async (options: CommonOptions) => {
    const file = leaseFilePath();
    const live = listLeases(file).filter((l) => l.live);
    const here = workspaceRoot();
    const rows = live.map((l) => ({ ...l, ports: slotPorts(l.slot, options) }));
    if (!options.json && rows.length === 0) {
      console.log(`no instance is running (leases: ${file})`);
      return;
    }
    await printRows(
      rows,
      [
        ['slot', (r) => r.slot],
        ['ports', (r) => Object.values(r.ports).join(' ')],
        ['checkout', (r) => (r.path === here ? `${r.path} (this one)` : r.path)],
        ['pid', (r) => r.pid],
        ['uptime', (r) => uptime(r.started)],
      ],
      options.json,
      rows.map((r) => ({ slot: r.slot, path: r.path, pid: r.pid, started: r.started, ports: r.ports })),
    );
  });

  instances
    .command('prune')
    .description('release stale leases (their process is gone); with --drop-data also drop their databases and Redis keys')
    .option('--drop-data', "also drop each stale instance's PostgreSQL database and Redis keys (asks first)")
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print JSON for scripts')
    .action(async (options: PruneOptions) => {
      const file = leaseFilePath();
      const stale = listLeases(file).filter((l) => !l.live);
      const describe = (l: LeaseStatus) => `instance ${l.slot} (${l.path}, pid ${l.pid})`;
      if (options.dropData && stale.length > 0 && !options.yes) {
        const what = stale.map((l) => `  ${describe(l)}: database ${instanceDatabaseName(l.slot)}, Redis keys ${instanceRedisPrefix(l.slot)}*`).join('\n');
        if (!(await confirm(`Drop the data of ${stale.length} stale instance${stale.length > 1 ? 's' : ''}?\n${what}\n`, '--yes'))) {
          console.log('nothing pruned');
          return;
        }
      }
      // Re-checked under the lock: a lease that came back to life in between stays.
      const pruned = await pruneStale(file);
      const dropped = [];
      if (options.dropData && pruned.length > 0) {
        const { dropInstanceData } = await import('../stack/instance-data.js');
        // A slot another checkout took since is live again: its data is in use.
        const liveSlots = new Set(listLeases(file).filter((l) => l.live).map((l) => l.slot));
        for (const lease of pruned) {
          if (liveSlots.has(lease.slot)) continue;
          try {
            dropped.push({ slot: lease.slot, ...(await dropInstanceData(lease.slot)) });
          } catch (error) {
            throw new CliError(`could not drop the data of ${describe({ ...lease, live: false })}: ${(error as Error).message}. Fix: make sure PostgreSQL and Redis run (\`npx hypernode health\`) and PGUSER is a superuser, then run prune --drop-data again`);
          }
        }
      }
      if (options.json) {
        console.log(JSON.stringify({ pruned: pruned.map(({ slot, path, pid }) => ({ slot, path, pid })), dropped }, null, 2));
        return;
      }
      if (pruned.length === 0) console.log(`nothing to prune: every lease in ${file} is live`);
      for (const l of pruned) console.log(`released stale ${describe({ ...l, live: false })}`);
      for (const d of dropped) console.log(`instance ${d.slot}: ${d.databaseDropped ? `dropped database ${d.database}` : `no database ${d.database}`}, removed ${d.redisKeys} Redis key(s) under ${d.redisPrefix}`);
    });
}
