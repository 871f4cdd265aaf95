import type { Command } from 'commander';
import { listServices, resolveSettings, workspaceRoot } from '@hypernode/ports';
import { resolveOptions, withCommon, type CommonOptions } from '../common.js';
import { ensureInfra } from '../stack/infra.js';
import { runStack } from '../stack/run-stack.js';

/** `hypernode up` (what `npm start` runs): infra check, then every app on its registry port. */
export function registerUp(program: Command): void {
  withCommon(program.command('up').description('check (or start) PostgreSQL and Redis, then serve every app on its registry port via `nx run-many -t serve`; Ctrl-C stops everything')).action(
    async (options: CommonOptions) => {
      const resolve = resolveOptions(options);
      const { profile, instance } = resolveSettings(resolve);
      const services = listServices(resolve);
      const root = workspaceRoot();
      const log = (line: string) => console.log(`[hypernode] ${line}`);
      log(`profile ${profile}, instance ${instance}`);
      const infra = await ensureInfra(services, root, log);
      process.exitCode = await runStack({ root, services, infra, log, env: { HYPERNODE_PROFILE: profile, HYPERNODE_INSTANCE: String(instance) } });
    },
  );
}
