import { KIND_RANGES, type Kind } from './kinds.js';
import type { ServiceEntry } from './schema.js';

/** Ports no generator hands out even when no entry claims them (8899: the Solana validator's). */
export const RESERVED_PORTS: ReadonlyMap<number, string> = new Map([[8899, 'the Solana local validator']]);

/** A port cannot be claimed; the message names the holder or the rule, and the fix. */
export class PortClaimError extends Error {
  readonly code = 'E_PORT_CLAIM';
  constructor(message: string) {
    super(message);
    this.name = 'PortClaimError';
  }
}

/** Who holds a port in the registry or the reserved list, if anyone. */
export function portHolder(services: readonly ServiceEntry[], port: number): string | undefined {
  const entry = services.find((s) => s.port === port);
  if (entry) return `"${entry.name}"`;
  return RESERVED_PORTS.get(port);
}

/**
 * The port a new service of `kind` gets: `requested` when it is free, in the kind's range
 * and not reserved (else PortClaimError naming the holder and the fix); otherwise the lowest
 * free port of the range at or above the kind's first claimed port, so services of one kind
 * stay together as the seed lays them out (workers 8080, 8081, …), then any lower free one.
 */
export function allocatePort(services: readonly ServiceEntry[], kind: Kind, requested: number | undefined, file: string): number {
  const [low, high] = KIND_RANGES[kind];
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < low || requested > high) {
      throw new PortClaimError(`--port ${requested} is outside the ${kind} range ${low}–${high}: pick a port in that range, or omit --port to take the lowest free one`);
    }
    const holder = portHolder(services, requested);
    if (holder) throw new PortClaimError(`port ${requested} is already claimed by ${holder} in ${file}; omit --port to take the next free one`);
    return requested;
  }
  const claimed = services.filter((s) => s.kind === kind && s.port >= low && s.port <= high).map((s) => s.port);
  const start = claimed.length > 0 ? Math.min(...claimed) : low;
  for (let port = start; port <= high; port++) if (!portHolder(services, port)) return port;
  for (let port = low; port < start; port++) if (!portHolder(services, port)) return port;
  throw new PortClaimError(`no free ${kind} port left in ${low}–${high} (${file}): remove a service with \`nx g @hypernode/workspace-plugin:remove-service <name>\``);
}
