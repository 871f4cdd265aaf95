import { Command, Option } from 'commander';
import { leaseFilePath, liveLeaseOf } from '@hypernode/instances';
import { loadRegistry, parseInstance, parseProfile, workspaceRoot, type Profile, type ResolveOptions } from '@hypernode/ports';

/** Options every command takes. */
export interface CommonOptions {
  json?: boolean;
  profile?: string;
  instance?: string;
  registry?: string;
}

/** Adds --json, --profile, --instance and --registry to a command. */
export function withCommon(command: Command): Command {
  return command
    .option('--json', 'print JSON for scripts instead of a table')
    .addOption(new Option('--profile <name>', 'development | staging | production (default: $HYPERNODE_PROFILE or development)'))
    .addOption(new Option('--instance <n>', 'instance number 0–99: shifts app ports by n × 100 (default: $HYPERNODE_INSTANCE, else the instance this checkout runs as, else 0)'))
    .addOption(new Option('--registry <file>', 'registry file (default: $HYPERNODE_REGISTRY or libs/ports/registry.json)'));
}

/** The slot this checkout runs as now (its live lease), if it runs; a broken lease file counts as none. */
export function checkoutInstance(env: NodeJS.ProcessEnv = process.env, root: string = workspaceRoot()): number | undefined {
  try {
    return liveLeaseOf(root, leaseFilePath(env))?.slot;
  } catch {
    return undefined;
  }
}

/**
 * Turns the common flags into registry resolve options; bad values throw PortConfigError naming
 * the flag. The instance: --instance, else HYPERNODE_INSTANCE, else the one this checkout runs
 * as (so `health`, `env`, `ports` follow a leased slot), else 0.
 */
export function resolveOptions(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): ResolveOptions {
  const profile: Profile | undefined = options.profile === undefined ? undefined : parseProfile(options.profile, '--profile');
  const instance = options.instance !== undefined ? parseInstance(options.instance, '--instance') : env.HYPERNODE_INSTANCE ? undefined : checkoutInstance(env);
  const registry = options.registry ? loadRegistry(options.registry) : loadRegistry();
  return { profile, instance, env, registry };
}

/** A CLI failure whose message says what went wrong and how to fix it; exit code 1. */
export class CliError extends Error {
  readonly code = 'E_CLI';
}

/** Parses a positive number of seconds given to a flag. */
export function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} ${JSON.stringify(value)} is not valid: expected a number of seconds above 0, e.g. ${flag} 60`);
  return n;
}
