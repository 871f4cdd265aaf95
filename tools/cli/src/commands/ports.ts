import type { Command } from 'commander';
import { listServices, resolveSettings } from '@hypernode/ports';
import { resolveOptions, withCommon, type CommonOptions } from '../common.js';
import { printRows } from '../output.js';

/** `hypernode ports`: the port map for the chosen profile and instance. */
export function registerPorts(program: Command): Command {
  // Positional options: `ports check --json` belongs to `check`, not to `ports`.
  const ports = withCommon(program.command('ports').description('show the port map (service, port, kind, URL, purpose)')).enablePositionalOptions();
  ports.action(async (options: CommonOptions) => {
    const resolve = resolveOptions(options);
    const services = listServices(resolve);
    const settings = resolveSettings(resolve);
    await printRows(
      services,
      [
        ['service', (s) => s.name],
        ['port', (s) => s.port + (s.source === 'env' ? ` (${s.envVar})` : '')],
        ['kind', (s) => s.kind],
        ['url', (s) => s.url],
        ['required', (s) => (s.required ? 'yes' : 'no')],
        ['purpose', (s) => s.purpose],
      ],
      options.json,
      { ...settings, services: services.map(({ name, port, registryPort, source, kind, url, required, purpose, envVar }) => ({ name, port, registryPort, source, kind, url, required, purpose, envVar })) },
    );
  });
  return ports;
}
