import type { Command } from 'commander';
import { isAppKind, listServices, resolveSettings, workspaceRoot } from '@hypernode/ports';
import { resolveOptions, withCommon, type CommonOptions } from '../common.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** `hypernode up` (what `npm start` runs): app ports check, infra check, then every app on its registry port. */
export function registerUp(program: Command): void {
  withCommon(program.command('up').description('check (or start) PostgreSQL and Redis, then serve every app on its registry port via `nx run-many -t serve`; Ctrl-C stops everything')).action(
    async (options: CommonOptions) => {
      // Loaded on use: the stack's modules (child processes, crypto) cost every other command start-up time.
      const [{ ensureInfra }, { assertAppPortsFree, runStack }, { bootstrapAuth, signInBanner }] = await Promise.all([
        import('../stack/infra.js'),
        import('../stack/run-stack.js'),
        import('../stack/bootstrap-auth.js'),
      ]);
      const resolve = resolveOptions(options);
      const { profile, instance } = resolveSettings(resolve);
      const services = listServices(resolve);
      const root = workspaceRoot();
      const log = (line: string) => console.log(`[hypernode] ${line}`);
      log(`profile ${profile}, instance ${instance}`);
      assertAppPortsFree(services.filter((s) => isAppKind(s.kind)));

      // A stop during the infra step must still stop the infra this run starts.
      let interrupted: string | undefined;
      const onEarlySignal = (signal: string) => (interrupted = signal);
      for (const signal of STOP_SIGNALS) process.on(signal, onEarlySignal);
      const infra = await ensureInfra(services, root, log);
      for (const signal of STOP_SIGNALS) process.off(signal, onEarlySignal);
      if (interrupted) {
        for (const started of infra.reverse()) await started.stop();
        log(`stopped (${interrupted}) before any app started`);
        return;
      }
      const stackEnv = { HYPERNODE_PROFILE: profile, HYPERNODE_INSTANCE: String(instance) };
      let auth;
      try {
        auth = await bootstrapAuth(root, services, { ...process.env, ...stackEnv }, log);
      } catch (error) {
        for (const started of infra.reverse()) await started.stop().catch(() => undefined);
        throw error;
      }
      process.exitCode = await runStack({
        root,
        services,
        infra,
        log,
        env: { ...stackEnv, HYPERNODE_JOIN_TOKEN: auth.joinToken },
        banner: signInBanner(auth.signInUrls),
      });
    },
  );
}
