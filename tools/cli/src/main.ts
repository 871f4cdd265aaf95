import { Command } from 'commander';
import { registerEnv } from './commands/env.js';
import { registerHealth } from './commands/health.js';
import { registerInfra } from './commands/infra.js';
import { registerInstances } from './commands/instances.js';
import { registerJoinTokens, registerKeys } from './commands/keys.js';
import { registerPorts } from './commands/ports.js';
import { registerPortsCheck } from './commands/ports-check.js';
import { registerPortsFree } from './commands/ports-free.js';
import { registerUp } from './commands/up.js';

/** Builds the `hypernode` program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('hypernode')
    .description('One port registry for the whole Hypernode workspace: port map, checks, health, and the stack')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();
  const ports = registerPorts(program);
  registerPortsCheck(ports);
  registerPortsFree(ports);
  registerHealth(program);
  registerEnv(program);
  registerInfra(program);
  registerUp(program);
  registerInstances(program);
  registerKeys(program);
  registerJoinTokens(program);
  return program;
}

/** Runs the CLI; errors with a `code` print their own message (what, where, fix) and exit 1. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const e = error as Error & { code?: string };
    console.error(e.code?.startsWith('E_') ? `hypernode: ${e.message}` : (e.stack ?? String(e)));
    process.exitCode = 1;
  }
}
