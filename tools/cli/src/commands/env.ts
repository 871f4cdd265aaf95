import type { Command } from 'commander';
import { isServiceName, serviceEnv } from '@hypernode/ports';
import { CliError, resolveOptions, withCommon, type CommonOptions } from '../common.js';

/** `hypernode env <service>`: the environment that service is started with. */
export function registerEnv(program: Command): void {
  withCommon(program.command('env').description('print the environment a service gets (PORT, its peers\' URLs) as KEY=value lines'))
    .argument('<service>', 'a registry service name')
    .action((service: string, options: CommonOptions) => {
      const resolve = resolveOptions(options);
      if (!isServiceName(service, resolve.registry)) {
        throw new CliError(`unknown service "${service}": it is not in ${resolve.registry!.file}. Run \`npx hypernode ports\` for the names`);
      }
      const env = serviceEnv(service, resolve);
      if (options.json) process.stdout.write(JSON.stringify(env, null, 2) + '\n');
      else process.stdout.write(Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    });
}
