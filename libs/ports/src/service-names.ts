// Generated from libs/ports/registry.json by the service-names sync generator (`npx nx sync`).
// It gives literal service names a compile-time check. Do not edit by hand.

/** Every service name in the registry. */
export const SERVICE_NAMES = ['site', 'llm-deployer', 'api', 'realtime', 'automation', 'gpu-worker', 'supervisor', 'postgres', 'redis', 'solana'] as const;

/** A service name the registry lists. */
export type ServiceName = (typeof SERVICE_NAMES)[number];
