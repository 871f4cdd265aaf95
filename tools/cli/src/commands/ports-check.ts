import type { Command } from 'commander';
import { belongsToWorkspace, classifyPorts, findListeners } from '@hypernode/port-inspect';
import { leaseFilePath, listLeases } from '@hypernode/instances';
import { isAppKind, listServices, workspaceRoot, type ResolveOptions } from '@hypernode/ports';
import { resolveOptions, withCommon, type CommonOptions } from '../common.js';
import { printRows } from '../output.js';

const STATE_TEXT = { free: 'free', expected: 'in use by its service', foreign: 'HELD BY ANOTHER PROCESS' } as const;

/** Which other running checkout owns each app port of its slot: port → "instance 1: /path/to/checkout". */
function portsOfOtherCheckouts(resolve: ResolveOptions, root: string): Map<number, string> {
  const owners = new Map<number, string>();
  let leases;
  try {
    leases = listLeases(leaseFilePath(resolve.env)).filter((l) => l.live && l.path !== root);
  } catch {
    return owners; // a broken lease file must not break the check; `hypernode instances` reports it
  }
  for (const lease of leases) {
    for (const s of listServices({ ...resolve, instance: lease.slot })) if (isAppKind(s.kind)) owners.set(s.port, `instance ${lease.slot}: ${lease.path}`);
  }
  return owners;
}

/** `hypernode ports check`: who holds each registry port; exit 1 when a required one is held by a foreign process. */
export function registerPortsCheck(ports: Command): void {
  withCommon(ports.command('check').description('show, for every registry port, whether it is free, held by its service, or held by a foreign process (exit 1 if a required port is held by a foreign process)')).action(
    async (options: CommonOptions) => {
      const resolve = resolveOptions(options);
      const services = listServices(resolve);
      const root = workspaceRoot();
      const owners = portsOfOtherCheckouts(resolve, root);
      // A port another running checkout holds is named by its instance and path ("held by instance 1: <path>").
      const checks = classifyPorts(services, findListeners(services.map((s) => s.port)), root).map((c) =>
        owners.has(c.port) && c.holders.length > 0 && !c.holders.some((h) => belongsToWorkspace(h, root)) ? { ...c, holder: `${owners.get(c.port)} (${c.holder})` } : c,
      );
      await printRows(
        checks,
        [
          ['service', (c) => c.name],
          ['port', (c) => c.port],
          ['state', (c) => STATE_TEXT[c.state]],
          ['holder', (c) => c.holder || '-'],
        ],
        options.json,
        checks.map(({ holders, ...c }) => ({ ...c, holders: holders.map(({ pid, address, command, cwd, service }) => ({ pid, address, command, cwd, service })) })),
      );
      const blocked = checks.filter((c) => c.required && c.state === 'foreign');
      const others = [...new Set(checks.filter((c) => c.holders.length > 0 && owners.has(c.port)).map((c) => owners.get(c.port)!))];
      if (!options.json) for (const other of others) console.error(`held by ${other} (another checkout's stack; \`npx hypernode instances\` lists them)`);
      if (blocked.length > 0) {
        if (!options.json) {
          for (const c of blocked) console.error(`${c.name}: port ${c.port} is held by ${c.holder}. Fix: npx hypernode ports free ${c.port}`);
        }
        process.exitCode = 1;
      }
    },
  );
}
