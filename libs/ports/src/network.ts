import { PortConfigError } from './errors.js';

/**
 * Where the services run, which decides the host name peers reach each other on:
 * `local` (default) — every service on this machine, reached on `localhost`;
 * `compose` — one container per service on a compose network, reached by its service name;
 * `kubernetes` — one Deployment per app in a namespace, reached by its Service name (deploy/k8s).
 */
export const NETWORKS = ['local', 'compose', 'kubernetes'] as const;
export type Network = (typeof NETWORKS)[number];

/** The host name peers use for a service on each network, when no `<NAME>_HOST` says otherwise. */
const NETWORK_HOSTS: Record<Network, (service: string) => string> = {
  local: () => 'localhost',
  compose: (service) => service,
  kubernetes: (service) => service,
};

/** Parses a network name; `variable` names where it came from for the error. */
export function parseNetwork(value: string, variable = 'HYPERNODE_NETWORK'): Network {
  if ((NETWORKS as readonly string[]).includes(value)) return value as Network;
  throw new PortConfigError(variable, value, `one of ${NETWORKS.join(', ')} (local: peers on localhost; compose: peers by their compose service name; kubernetes: peers by their Service name)`);
}

/** The host peers reach `service` on in `network`. */
export function networkHost(network: Network, service: string): string {
  return NETWORK_HOSTS[network](service);
}

// DNS labels (plus `_`, which Docker's service names allow); dotted IPv4 addresses match too.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

function isIpv6(value: string): boolean {
  if (!value.includes(':')) return false;
  try {
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Parses a host name or IP address (IPv6 with or without brackets); no scheme, port or path. */
export function parseHost(value: string, variable: string): string {
  const trimmed = value.trim();
  const bracketed = /^\[(.*)\]$/.exec(trimmed);
  if (bracketed ? isIpv6(bracketed[1]!) : HOST_NAME.test(trimmed) || isIpv6(trimmed)) return bracketed ? bracketed[1]! : trimmed;
  throw new PortConfigError(variable, value, 'a host name or IP address without scheme or port, e.g. api, db.internal, 10.0.0.5 or ::1');
}

/** A host as it goes into a URL: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
