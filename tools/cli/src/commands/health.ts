import type { Command } from 'commander';
import { allRequiredUp, checkAll, waitHealthy, type HealthResult } from '@hypernode/health';
import { listServices } from '@hypernode/ports';
import { parseSeconds, resolveOptions, withCommon, type CommonOptions } from '../common.js';
import { printRows } from '../output.js';

interface HealthOptions extends CommonOptions {
  wait?: boolean;
  timeout: string;
}

/** `hypernode health`: every service's health with latency; exit 1 when a required one is down. */
export function registerHealth(program: Command): void {
  withCommon(program.command('health').description('check every service (HTTP path, PostgreSQL, Redis PING, Solana getHealth); exit 1 if a required one is down'))
    .option('--wait', 'poll until every required service is healthy (or --timeout passes)')
    .option('--timeout <seconds>', 'how long --wait polls', '60')
    .action(async (options: HealthOptions) => {
      const services = listServices(resolveOptions(options));
      const timeoutS = parseSeconds(options.timeout, '--timeout');
      let results: HealthResult[];
      if (options.wait) {
        results = (await waitHealthy(services, { waitMs: timeoutS * 1000 })).results;
      } else {
        results = await checkAll(services);
      }
      const healthy = allRequiredUp(results);
      await printRows(
        results,
        [
          ['service', (r) => r.name],
          ['port', (r) => r.port],
          ['status', (r) => (r.status === 'up' ? 'up' : r.required ? 'DOWN' : 'down (optional)')],
          ['latency', (r) => `${r.latencyMs} ms`],
          ['detail', (r) => r.detail],
        ],
        options.json,
        { healthy, services: results },
      );
      if (!healthy) {
        const down = results.filter((r) => r.required && r.status === 'down').map((r) => `${r.name} (:${r.port})`);
        console.error(`required service${down.length > 1 ? 's' : ''} down: ${down.join(', ')}${options.wait ? ` after ${timeoutS} s` : ''}. Is \`npm start\` running? See \`npx hypernode ports check\`.`);
        process.exitCode = 1;
      }
    });
}
