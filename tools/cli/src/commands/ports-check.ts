import type { Command } from 'commander';
import { classifyPorts, findListeners } from '@hypernode/port-inspect';
import { listServices, workspaceRoot } from '@hypernode/ports';
import { resolveOptions, withCommon, type CommonOptions } from '../common.js';
import { printRows } from '../output.js';

const STATE_TEXT = { free: 'free', expected: 'in use by its service', foreign: 'HELD BY ANOTHER PROCESS' } as const;

/** `hypernode ports check`: who holds each registry port; exit 1 when a required one is held by a foreign process. */
export function registerPortsCheck(ports: Command): void {
  withCommon(ports.command('check').description('show, for every registry port, whether it is free, held by its service, or held by a foreign process (exit 1 if a required port is held by a foreign process)')).action(
    async (options: CommonOptions) => {
      const services = listServices(resolveOptions(options));
      const checks = classifyPorts(services, findListeners(services.map((s) => s.port)), workspaceRoot());
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
      if (blocked.length > 0) {
        if (!options.json) {
          for (const c of blocked) console.error(`${c.name}: port ${c.port} is held by ${c.holder}. Fix: npx hypernode ports free ${c.port}`);
        }
        process.exitCode = 1;
      }
    },
  );
}
