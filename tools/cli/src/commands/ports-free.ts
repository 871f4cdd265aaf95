import type { Command } from 'commander';
import { belongsToWorkspace, describeHolder, findListeners, processStartTime, stopProcess, WORKSPACE_MARKER, type StopOutcome } from '@hypernode/port-inspect';
import { isServiceName, listServices, parsePort, workspaceRoot, type ResolveOptions } from '@hypernode/ports';
import { CliError, resolveOptions, withCommon, type CommonOptions } from '../common.js';
import { confirm } from '../confirm.js';

interface FreeOptions extends CommonOptions {
  yes?: boolean;
  force?: boolean;
  grace: string;
}

/** A port number, or the resolved port of a registry service. */
function targetPort(target: string, resolve: ResolveOptions): number {
  if (/^\d+$/.test(target)) return parsePort(target, 'port');
  if (isServiceName(target, resolve.registry)) return listServices(resolve).find((s) => s.name === target)!.port;
  throw new CliError(`"${target}" is neither a port number nor a service in the registry: run \`npx hypernode ports\` for the names`);
}

/** What one stop did, as printed after `pid N: `. */
function outcomeText(outcome: StopOutcome, grace: number): string {
  switch (outcome) {
    case 'killed':
      return `did not exit within ${grace} ms of SIGTERM; killed`;
    case 'terminated':
      return 'stopped';
    case 'already-gone':
      return 'had already exited';
    case 'pid-reused':
      return 'not signalled: the pid now belongs to a process that started after the one holding the port (pid reused)';
  }
}

/** `hypernode ports free <port|service>`: stops whatever holds the port (SIGTERM, then SIGKILL). */
export function registerPortsFree(ports: Command): void {
  withCommon(ports.command('free').description('stop the process holding a port: SIGTERM, then SIGKILL after the grace period'))
    .argument('<port|service>', 'a port number or a registry service name')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--force', 'also stop processes that are not part of this workspace')
    .option('--grace <ms>', 'milliseconds between SIGTERM and SIGKILL', '5000')
    .action(async (target: string, options: FreeOptions) => {
      const resolve = resolveOptions(options);
      const port = targetPort(target, resolve);
      const grace = Number(options.grace);
      if (!Number.isInteger(grace) || grace < 0) throw new CliError(`--grace ${JSON.stringify(options.grace)} is not valid: expected milliseconds, e.g. --grace 5000`);
      const holders = findListeners([port]).get(port) ?? [];
      if (holders.length === 0) {
        console.log(`port ${port} is already free`);
        return;
      }
      if (holders.some((h) => h.pid === undefined)) throw new CliError(`port ${port} is held by a process whose owner this user cannot see: rerun as root (sudo npx hypernode ports free ${port})`);
      const root = workspaceRoot();
      for (const holder of holders) {
        if (!belongsToWorkspace(holder, root) && !options.force) {
          throw new CliError(
            `port ${port} is held by ${describeHolder(holder)}, which is not part of this workspace (${root}): it carries no ${WORKSPACE_MARKER}=${root} and its executable and cwd are not both inside the workspace; refusing to stop it: add --force to stop it anyway`,
          );
        }
      }
      const distinct = holders.filter((h, i) => holders.findIndex((o) => o.pid === h.pid) === i);
      // Taken now, before any prompt: the pid is signalled only while it is still this process.
      const identities = new Map(distinct.map((h) => [h.pid!, { pid: h.pid!, startTime: h.startTime ?? processStartTime(h.pid!) }]));
      for (const holder of distinct) {
        if (!options.yes && !(await confirm(`Stop ${describeHolder(holder)} holding port ${port}?`, '--yes'))) {
          console.log('left running');
          return;
        }
        const outcome = await stopProcess(holder.pid!, grace, { identity: identities.get(holder.pid!) });
        console.log(`pid ${holder.pid}: ${outcomeText(outcome, grace)}`);
      }
      const left = findListeners([port]).get(port) ?? [];
      if (left.length > 0) throw new CliError(`port ${port} is still held by ${left.map(describeHolder).join(', ')}: run \`npx hypernode ports free ${port}\` again`);
      console.log(`port ${port} is free`);
    });
}
