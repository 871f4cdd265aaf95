/** The kinds of service the registry knows. */
export const KINDS = ['frontend', 'http', 'websocket', 'worker', 'infra', 'blockchain', 'tool'] as const;
export type Kind = (typeof KINDS)[number];

/** How a service's health is checked. */
export const HEALTH_TYPES = ['http', 'postgres', 'redis', 'solana'] as const;
export type HealthType = (typeof HEALTH_TYPES)[number];

/** Kinds that are apps of this workspace (served by Nx, shifted by profiles and instances). */
export const APP_KINDS: readonly Kind[] = ['frontend', 'http', 'websocket', 'worker'];

/**
 * Kinds whose ports move with the profile and instance: the apps, plus `tool` — processes of a
 * stack run that are not apps (the `hypernode up` supervisor): not served by Nx, no image, not
 * in compose/k8s/deploy models, but one per stack, so two stacks must not share their port.
 */
export const SHIFTED_KINDS: readonly Kind[] = [...APP_KINDS, 'tool'];

/** Lowest and highest port any service may take (below 1024 needs root). */
export const PORT_FLOOR = 1024;
export const PORT_CEILING = 65535;

/**
 * The port range each kind may claim, inclusive. HTTP-facing apps live in 3xxx, workers
 * in 8xxx; infra and blockchain services keep their standard ports, so only the global
 * bounds apply to them.
 */
export const KIND_RANGES: Record<Kind, readonly [number, number]> = {
  frontend: [3000, 3999],
  http: [3000, 3999],
  websocket: [3000, 3999],
  worker: [8000, 8999],
  infra: [PORT_FLOOR, PORT_CEILING],
  blockchain: [PORT_FLOOR, PORT_CEILING],
  tool: [3000, 3999],
};

/** True when the kind is an app of this workspace rather than shared infrastructure. */
export function isAppKind(kind: Kind): boolean {
  return APP_KINDS.includes(kind);
}

/** True when profiles and instances shift the kind's port (apps and stack tools). */
export function isShiftedKind(kind: Kind): boolean {
  return SHIFTED_KINDS.includes(kind);
}
