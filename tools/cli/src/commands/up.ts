import type { Command } from 'commander';
import { isAppKind, isShiftedKind, listServices, resolveSettings, workspaceRoot, type ResolvedService } from '@hypernode/ports';
import { CliError, resolveOptions, withCommon, type CommonOptions } from '../common.js';

/** `--only api,realtime`: the registry apps named, in registry order; an unknown name throws CliError naming it and the valid ones. */
export function selectApps(services: readonly ResolvedService[], only: string | undefined): string[] {
  const apps = services.filter((s) => isAppKind(s.kind)).map((s) => s.name);
  if (only === undefined) return apps;
  const asked = only.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = asked.filter((n) => !apps.includes(n));
  if (asked.length === 0 || unknown.length > 0) {
    throw new CliError(`--only ${JSON.stringify(only)} is not valid: ${unknown.length > 0 ? `${unknown.map((n) => JSON.stringify(n)).join(', ')} ${unknown.length === 1 ? 'is not an app' : 'are not apps'} of the registry` : 'it names no app'}; give a comma-separated list of ${apps.join(', ')} (e.g. --only api,realtime)`);
  }
  return apps.filter((n) => asked.includes(n));
}

/**
 * `hypernode up` (what `npm start` runs): the supervisor of the stack — the infra task once, then
 * each app's own Nx serve target as a process it owns (state, logs, restart/stop/start over the
 * HTTP API of the registry's `supervisor` service, for the dashboard), plus an early check of
 * every port, the sign-in links printed once every app answers, and a stop that leaves no process
 * behind and stops the infra this run started. `nx run-many -t serve` still runs the same stack,
 * without the supervisor. It leases the checkout's instance slot for its own pid
 * (stack/instance-lease.ts) and releases it on exit.
 */
export function registerUp(program: Command): void {
  withCommon(program.command('up').description('serve every app on its registry port, each a supervised `nx run <app>:serve` (after the infra task: PostgreSQL, Redis, migrations, credentials), with the dashboard\'s supervisor API; Ctrl-C stops everything'))
    .option('--only <apps>', 'start only these apps (comma-separated, e.g. api,realtime); the others are listed as stopped and can be started from the dashboard')
    .action(
    async (options: CommonOptions & { only?: string }) => {
      // Our parent as we started: if `npm start` is killed while we load, the stack still sees it gone.
      const parentPid = process.ppid;
      // Loaded on use: the stack's modules (child processes, crypto) cost every other command start-up time.
      // node:crypto too: importing it costs every command 5–20 ms of start-up (ESM loads it eagerly).
      const [{ randomUUID }, { assertAppPortsFree, runStack, STOP_SIGNALS }, { signInBanner }, { readSignInUrls }, { stopStartedInfra }, { takeInstance }, { pinnedInstance }] = await Promise.all([
        import('node:crypto'),
        import('../stack/run-stack.js'),
        import('../stack/bootstrap-auth.js'),
        import('../stack/sign-in-file.js'),
        import('../stack/infra-record.js'),
        import('../stack/instance-lease.js'),
        import('../stack/infra-instance.js'),
      ]);
      const root = workspaceRoot();
      const log = (line: string) => console.log(`[hypernode] ${line}`);
      const base = resolveOptions({ ...options, instance: undefined });
      // Before the lease: a bad --only takes nothing.
      const only = selectApps(listServices(base), options.only);
      // A stop asked for before the stack's own handlers exist (while the slot is taken and the ports
      // checked) must not kill us by the signal's default action: that left the lease behind, stale.
      const early = new AbortController();
      const onEarlySignal = (signal: NodeJS.Signals) => early.abort(signal);
      for (const signal of STOP_SIGNALS) process.on(signal, onEarlySignal);
      // The slot: pinned (--instance / HYPERNODE_INSTANCE), else this checkout's previous one, else the lowest free; released on exit.
      const held = await takeInstance({ root, owner: process.pid, ...pinnedInstance(options), resolve: base, log });
      let code = 1;
      try {
        if (early.signal.aborted) {
          log(`stopped (${String(early.signal.reason)}) before the stack started; releasing instance ${held.slot}`);
          process.exitCode = 0;
          return;
        }
        const resolve = { ...base, instance: held.slot };
        const { profile, instance } = resolveSettings(resolve);
        const services = listServices(resolve);
        log(`profile ${profile}, instance ${instance}, checkout ${root}`);
        assertAppPortsFree(services.filter((s) => isShiftedKind(s.kind) && (!isAppKind(s.kind) || only.includes(s.name))));
        const stackId = randomUUID();
        code = await runStack({
          root,
          services,
          only,
          log,
          stackId,
          stopRequested: early.signal,
          parentPid,
          env: { HYPERNODE_PROFILE: profile, HYPERNODE_INSTANCE: String(instance) },
          banner: () => {
            // Links of the frontends this run started (--only may leave them out).
            const urls = readSignInUrls(root, stackId)?.filter((u) => only.includes(u.service));
            return urls?.length ? signInBanner(urls) : undefined;
          },
          afterStop: async () => void (await stopStartedInfra(root, log, stackId)),
        });
      } finally {
        await held.release().catch((e: Error) => log(`could not release instance ${held.slot}: ${e.message}`));
        for (const signal of STOP_SIGNALS) process.off(signal, onEarlySignal);
      }
      process.exitCode = code;
    },
  );
}
