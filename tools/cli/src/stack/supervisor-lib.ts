import type * as Supervisor from '@hypernode/supervisor';

/**
 * Loads @hypernode/supervisor (fastify, pg, the process runner). Like the store it ships as
 * TypeScript and stays out of the bundle (fastify's dynamic requires do not bundle well): the
 * bundled CLI registers tsx first; run from its sources, the CLI is under tsx already. Only
 * `hypernode up` loads it, so no other command pays for it.
 */
export async function loadSupervisorLib(): Promise<typeof Supervisor> {
  if (!import.meta.url.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  return import('@hypernode/supervisor');
}
