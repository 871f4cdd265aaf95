import { describeHolders, serviceOfHolder } from './holders.js';
import type { Listener, ListenerMap } from './types.js';

/** What `ports check` needs of a registry service. */
export interface CheckedService {
  name: string;
  port: number;
  required: boolean;
  /** How health is checked; infra is recognised by its command (postgres, redis-server, …). */
  health: { type: string };
}

/** State of one registry port. */
export type PortState = 'free' | 'expected' | 'foreign';

/** One row of `ports check`. */
export interface PortCheck {
  name: string;
  port: number;
  required: boolean;
  state: PortState;
  holders: Listener[];
  /** Human description of the holders ('' when free). */
  holder: string;
}

/** Command names that identify an infra server we do not launch ourselves. */
const INFRA_COMMANDS: Record<string, RegExp> = {
  postgres: /(^|[\\/\s])(postgres|postmaster)(\.exe)?(\s|:|$)/,
  redis: /(^|[\\/\s])redis-ser(ver)?(\.exe)?(\s|$)/, // lsof on macOS cuts names to 9 characters
  solana: /(solana-test-validator|agave-validator)/,
};

function isExpected(service: CheckedService, holder: Listener, root: string): boolean {
  if (serviceOfHolder(holder, root) === service.name) return true;
  const infra = INFRA_COMMANDS[service.health.type];
  return infra !== undefined && holder.command !== undefined && infra.test(holder.command);
}

/**
 * Classifies each registry port: free, held by the service the registry expects there,
 * or held by a foreign process (including an owner the OS hides from us).
 */
export function classifyPorts(services: readonly CheckedService[], listeners: ListenerMap, root: string): PortCheck[] {
  return services.map((s) => {
    const holders = listeners.get(s.port) ?? [];
    const state: PortState = holders.length === 0 ? 'free' : holders.every((h) => isExpected(s, h, root)) ? 'expected' : 'foreign';
    return { name: s.name, port: s.port, required: s.required, state, holders, holder: holders.length ? describeHolders(holders) : '' };
  });
}
