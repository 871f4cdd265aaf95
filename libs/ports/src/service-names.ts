// Generated from libs/ports/registry.json — kept in step by registry.spec.ts (and the
// workspace plugin's generators). It gives literal service names a compile-time check.

/** Every service name in the registry. */
export const SERVICE_NAMES = ['site', 'llm-deployer', 'api', 'realtime', 'automation', 'gpu-worker', 'postgres', 'redis', 'solana'] as const;

/** A service name the registry lists. */
export type ServiceName = (typeof SERVICE_NAMES)[number];
