import type { Command } from 'commander';
import { instanceDatabaseName, instanceRedisPrefix, listServices, resolveSettings, workspaceRoot } from '@hypernode/ports';
import { resolveOptions, withCommon, type CommonOptions } from '../common.js';

/**
 * `hypernode infra` — the Nx task every app's `serve` depends on (`nx run cli:infra`): PostgreSQL
 * and Redis up (started from local binaries when nothing answers; they keep running for later
 * runs), migrations applied, `.hypernode/admin-key` and `.hypernode/join-token` valid, and a
 * one-time sign-in URL per frontend. Under a bare Nx run it leases the checkout's instance slot
 * for the Nx process (see stack/infra-instance.ts), and creates and migrates the instance's
 * database. `hypernode infra stop` stops what it started.
 */
export function registerInfra(program: Command): void {
  const infra = withCommon(
    program
      .command('infra')
      .description('check (or start) PostgreSQL and Redis, apply migrations, make the development credentials in .hypernode/ and the sign-in URLs (the task every `serve` depends on)'),
  ).action(async (options: CommonOptions) => {
    const [{ ensureInfra }, { bootstrapAuth, signInBanner }, { writeSignInUrls }, { stopStartedInfra }, { infraInstance }] = await Promise.all([
      import('../stack/infra.js'),
      import('../stack/bootstrap-auth.js'),
      import('../stack/sign-in-file.js'),
      import('../stack/infra-record.js'),
      import('../stack/infra-instance.js'),
    ]);
    const resolve = resolveOptions(options);
    const root = workspaceRoot();
    const log = (line: string) => console.log(`[infra] ${line}`);
    const held = await infraInstance(root, options, resolve, log);
    const { profile, instance } = resolveSettings({ ...resolve, instance: held.slot });
    const services = listServices({ ...resolve, instance });
    const stack = process.env.HYPERNODE_STACK || null;
    const env: NodeJS.ProcessEnv = { ...process.env, HYPERNODE_PROFILE: profile, HYPERNODE_INSTANCE: String(instance) };
    log(`profile ${profile}, instance ${instance}${env.DATABASE_URL ? '' : `: database ${instanceDatabaseName(instance)}, Redis prefix ${instanceRedisPrefix(instance)}`}`);
    let started;
    let auth;
    try {
      // An explicit DATABASE_URL names its own database: nothing is created for it (only the
      // instance's default database is made here).
      started = await ensureInfra(services, root, log, stack, env.DATABASE_URL ? null : instanceDatabaseName(instance));
      try {
        auth = await bootstrapAuth(root, services, env, log);
      } catch (error) {
        if (started.length > 0) await stopStartedInfra(root, log, stack ?? undefined);
        throw error;
      }
    } catch (error) {
      await held.release();
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
