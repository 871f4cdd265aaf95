import type { Command } from 'commander';
import { listServices, resolveSettings, workspaceRoot } from '@hypernode/ports';
import { resolveOptions, withCommon, type CommonOptions } from '../common.js';

/**
 * `hypernode infra` — the Nx task every app's `serve` depends on (`nx run cli:infra`): PostgreSQL
 * and Redis up (started from local binaries when nothing answers; they keep running for later
 * runs), migrations applied, `.hypernode/admin-key` and `.hypernode/join-token` valid, and a
 * one-time sign-in URL per frontend. `hypernode infra stop` stops what it started.
 */
export function registerInfra(program: Command): void {
  const infra = withCommon(
    program
      .command('infra')
      .description('check (or start) PostgreSQL and Redis, apply migrations, make the development credentials in .hypernode/ and the sign-in URLs (the task every `serve` depends on)'),
  ).action(async (options: CommonOptions) => {
    const [{ ensureInfra }, { bootstrapAuth, signInBanner }, { writeSignInUrls }, { stopStartedInfra }] = await Promise.all([
      import('../stack/infra.js'),
      import('../stack/bootstrap-auth.js'),
      import('../stack/sign-in-file.js'),
      import('../stack/infra-record.js'),
    ]);
    const resolve = resolveOptions(options);
    const { profile, instance } = resolveSettings(resolve);
    const services = listServices(resolve);
    const root = workspaceRoot();
    const stack = process.env.HYPERNODE_STACK || null;
    const log = (line: string) => console.log(`[infra] ${line}`);
    log(`profile ${profile}, instance ${instance}`);
    const started = await ensureInfra(services, root, log, stack);
    let auth;
    try {
      auth = await bootstrapAuth(root, services, { ...process.env, HYPERNODE_PROFILE: profile, HYPERNODE_INSTANCE: String(instance) }, log);
    } catch (error) {
      if (started.length > 0) await stopStartedInfra(root, log, stack ?? undefined);
      throw error;
    }
    writeSignInUrls(root, stack, auth.signInUrls);
    if (started.length > 0 && !stack) {
      log(`${started.map((s) => s.name).join(' and ')} keep running after the apps stop; stop them with \`npx hypernode infra stop\``);
    }
    // `npm start` prints the links itself once every app answers; a bare Nx run gets them here.
    if (!stack) console.log(signInBanner(auth.signInUrls).join('\n'));
  });

  infra
    .command('stop')
    .description('stop the PostgreSQL and Redis that `hypernode infra` started from local binaries (data stays in .hypernode/)')
    .action(async () => {
      const { stopStartedInfra } = await import('../stack/infra-record.js');
      const stopped = await stopStartedInfra(workspaceRoot(), (line) => console.error(`hypernode: ${line}`));
      console.log(stopped.length > 0 ? `stopped ${stopped.join(' and ')}` : 'nothing to stop: hypernode infra started no PostgreSQL or Redis here');
    });
}
