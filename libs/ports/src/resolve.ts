import { PortConfigError, UnknownServiceError } from './errors.js';
import { isShiftedKind, PORT_CEILING, PORT_FLOOR } from './kinds.js';
import { networkHost, parseHost, parseNetwork, urlHost, type Network } from './network.js';
import { loadRegistry, type Registry } from './registry.js';
import type { ServiceEntry } from './schema.js';
import type { ServiceName } from './service-names.js';

/** Deployment profiles. */
export const PROFILES = ['development', 'staging', 'production'] as const;
export type Profile = (typeof PROFILES)[number];

/** Staging moves every app port up by this much (the seed runs its staging API 1000 above development). */
export const STAGING_OFFSET = 1000;
/** `HYPERNODE_INSTANCE=N` moves every app port up by N × this. */
export const INSTANCE_STEP = 100;
/** Highest instance number; keeps every shifted port below 20000. */
export const MAX_INSTANCE = 99;

/** How to resolve a port or URL. Every field is optional; the environment fills the rest. */
export interface ResolveOptions {
  /** Profile; default `HYPERNODE_PROFILE`, else `development`. */
  profile?: Profile;
  /** Instance number; default `HYPERNODE_INSTANCE`, else 0. */
  instance?: number;
  /** Network peers reach each other on; default `HYPERNODE_NETWORK`, else `local`. */
  network?: Network;
  /** Environment to read overrides from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** True when one service runs alone, so a bare `PORT` applies to it. */
  alone?: boolean;
  /** Registry to use; default the workspace's. */
  registry?: Registry;
}

/** Where a resolved port came from, for display and debugging. */
export type PortSource = 'env' | 'profile' | 'registry';

/** A registry entry with its port resolved for a profile and instance. */
export interface ResolvedService extends ServiceEntry {
  /** The port from the registry file. */
  registryPort: number;
  /** Which rule decided `port`. */
  source: PortSource;
  /** The env var that overrides this service's port. */
  envVar: string;
  /** Host its peers reach it on: `<NAME>_HOST`, else the network's (localhost, or the compose service name). */
  host: string;
  /** URL its peers (other services) use to reach it directly, on `host`. */
  url: string;
  /**
   * URL a browser on this machine uses: always `localhost` and the resolved port, whatever the
   * network (a compose service name means nothing to a browser; a proxy is configured apart).
   */
  publicUrl: string;
}

/** `llm-deployer` → `LLM_DEPLOYER`. */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** The env var that overrides one service's port: `api` → `API_PORT`. */
export function portEnvVar(name: string): string {
  return `${envPrefix(name)}_PORT`;
}

/** The env var that overrides the host peers reach one service on: `api` → `API_HOST`. */
export function hostEnvVar(name: string): string {
  return `${envPrefix(name)}_HOST`;
}

/** Parses a profile name; `variable` names where it came from for the error. */
export function parseProfile(value: string, variable = 'HYPERNODE_PROFILE'): Profile {
  if ((PROFILES as readonly string[]).includes(value)) return value as Profile;
  throw new PortConfigError(variable, value, `one of ${PROFILES.join(', ')}`);
}

/** Parses an instance number 0–MAX_INSTANCE. */
export function parseInstance(value: string, variable = 'HYPERNODE_INSTANCE'): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= MAX_INSTANCE) return n;
  throw new PortConfigError(variable, value, `a whole number 0–${MAX_INSTANCE}`);
}

/** Parses a port number PORT_FLOOR–PORT_CEILING. */
export function parsePort(value: string, variable: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= PORT_FLOOR && n <= PORT_CEILING) return n;
  throw new PortConfigError(variable, value, `a port number ${PORT_FLOOR}–${PORT_CEILING}`);
}

/** The profile, instance and network in force for these options. */
export function resolveSettings(options: ResolveOptions = {}): { profile: Profile; instance: number; network: Network } {
  const env = options.env ?? process.env;
  const profile = options.profile ?? (env.HYPERNODE_PROFILE ? parseProfile(env.HYPERNODE_PROFILE) : 'development');
  const instance = options.instance ?? (env.HYPERNODE_INSTANCE ? parseInstance(env.HYPERNODE_INSTANCE) : 0);
  const network = options.network ?? (env.HYPERNODE_NETWORK ? parseNetwork(env.HYPERNODE_NETWORK) : 'local');
  return { profile, instance, network };
}

/** The registry entry of one service; throws UnknownServiceError naming the known ones. */
export function serviceEntry(name: string, registry: Registry = loadRegistry()): ServiceEntry {
  const entry = registry.services.find((s) => s.name === name);
  if (!entry) throw new UnknownServiceError(name, registry.services.map((s) => s.name), registry.file);
  return entry;
}

/** True when `name` is listed in the registry (narrows a runtime string to ServiceName). */
export function isServiceName(name: string, registry: Registry = loadRegistry()): name is ServiceName {
  return registry.services.some((s) => s.name === name);
}

function schemeFor(entry: ServiceEntry): string {
  if (entry.kind === 'websocket') return 'ws';
  if (entry.health.type === 'postgres') return 'postgresql';
  if (entry.health.type === 'redis') return 'redis';
  return 'http';
}

/**
 * Resolves one entry. Port precedence: `<NAME>_PORT` env, then `PORT` (only when the service
 * runs alone), then the profile and instance applied to the registry port (apps and stack
 * tools). Infra and blockchain services are shared, so profiles and instances never move them. Host: `<NAME>_HOST`,
 * else the network's host for it (`localhost`, or its compose service name).
 */
export function resolveEntry(entry: ServiceEntry, options: ResolveOptions = {}): ResolvedService {
  const env = options.env ?? process.env;
  const { profile, instance, network } = resolveSettings(options);
  const envVar = portEnvVar(entry.name);
  let port = entry.port;
  let source: PortSource = 'registry';
  if (env[envVar]) {
    port = parsePort(env[envVar], envVar);
    source = 'env';
  } else if (options.alone && env.PORT) {
    port = parsePort(env.PORT, 'PORT');
    source = 'env';
  } else if (isShiftedKind(entry.kind)) {
    const shift = (profile === 'staging' ? STAGING_OFFSET : 0) + instance * INSTANCE_STEP;
    port = entry.port + shift;
    if (shift !== 0) source = 'profile';
  }
  const hostVar = hostEnvVar(entry.name);
  const host = env[hostVar] ? parseHost(env[hostVar], hostVar) : networkHost(network, entry.name);
  const scheme = schemeFor(entry);
  return { ...entry, registryPort: entry.port, port, source, envVar, host, url: `${scheme}://${urlHost(host)}:${port}`, publicUrl: `${scheme}://localhost:${port}` };
}

/** Every service, resolved for the options' profile and instance. */
export function listServices(options: ResolveOptions = {}): ResolvedService[] {
  const registry = options.registry ?? loadRegistry();
  return registry.services.map((entry) => resolveEntry(entry, options));
}

/** The port a service listens on for these options. */
export function portFor(name: ServiceName, options: ResolveOptions = {}): number {
  return resolveEntry(serviceEntry(name, options.registry), options).port;
}

/** The host a service's peers reach it on (`<NAME>_HOST`, else the network's: localhost or its compose name). */
export function hostFor(name: ServiceName, options: ResolveOptions = {}): string {
  return resolveEntry(serviceEntry(name, options.registry), options).host;
}

/** The URL (http://, ws://, postgresql://, redis://) that reaches a service directly from its peers. */
export function urlFor(name: ServiceName, options: ResolveOptions = {}): string {
  return resolveEntry(serviceEntry(name, options.registry), options).url;
}

/** The URL a browser on this machine uses for a service: `localhost` whatever the network. */
export function publicUrlFor(name: ServiceName, options: ResolveOptions = {}): string {
  return resolveEntry(serviceEntry(name, options.registry), options).publicUrl;
}

/** The bind host that means both loopback addresses, 127.0.0.1 and ::1 (see service-kit's listenHttp). */
export const LOOPBACK_HOST = 'localhost';

/**
 * The address a service binds: `HYPERNODE_HOST` when set (the only way to bind every interface,
 * e.g. `HYPERNODE_HOST=::`); production binds 127.0.0.1 (public traffic arrives through the
 * reverse proxy); other profiles bind `localhost`, i.e. 127.0.0.1 and ::1 — never the network.
 */
export function bindHostFor(options: ResolveOptions = {}): string {
  const env = options.env ?? process.env;
  if (env.HYPERNODE_HOST) return env.HYPERNODE_HOST;
  return resolveSettings(options).profile === 'production' ? '127.0.0.1' : LOOPBACK_HOST;
}
