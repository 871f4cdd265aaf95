import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { isAppKind, listServices, nodeFlags, parseRegistry, REGISTRY_RELATIVE_PATH, serviceEnv, type Registry, type ResolvedService } from '@hypernode/ports';
import { SERVE_ENTRIES } from '../../../serve-target';

/** What the deploy templates know of one app. */
export interface AppModel {
  name: string;
  port: number;
  /**
   * The ports of its instances on the proxy's host: the registry port alone unless the model is
   * built with `instances` (the scale rehearsal runs several per app); nginx lists each in its upstream.
   */
  upstream: number[];
  kind: string;
  route?: string;
  healthPath: string;
  /** File the container starts (`serve.ts` or `src/main.ts`). */
  entry: string;
  /** True for the Next.js app, whose image needs a `next build`. */
  next: boolean;
  /** The container's command: node with its registry-derived flags (heap cap from its memory limit), then main.js, as a JSON array. */
  cmd: string;
  /** Which Dockerfile template it gets: a bundled Node service, the Vite static site, or Next.js standalone. */
  flavor: 'node' | 'vite' | 'next';
  /** Lines of its .env.example. */
  envLines: string[];
  /** True for apps that get the database and Redis URLs in compose (every kind but frontends). */
  backend: boolean;
  /** True for GPU workers: they get the join token they register with. */
  worker: boolean;
  /** What compose gives it; see ComposeApp. */
  compose: ComposeApp;
}

/**
 * One app's compose service, beyond its port and healthcheck. Peer URLs are not listed: the app
 * computes them from the registry under `HYPERNODE_NETWORK=compose` (the compose service name on
 * the registry port); only URLs that carry a secret (DATABASE_URL, REDIS_URL) are spelled out.
 */
export interface ComposeApp {
  /** The services it talks to: it starts once they are healthy. */
  dependsOn: string[];
  /** Gets DATABASE_URL (with the password from the environment). */
  postgres: boolean;
  /** Gets REDIS_URL (with the password from the environment). */
  redis: boolean;
  /** Gets the join token: GPU workers register with it; the api stores it at start (no CLI reaches compose's database). */
  joinToken: boolean;
  /** Gets HYPERNODE_WORKER_HOSTS: it registers or dispatches to GPU workers (api, automation). */
  workerHosts: boolean;
  /**
   * Browser-facing backend URLs (frontends): the published ports on this machine by default
   * (`localhost`, never a compose name), overridable from the host's environment for a proxy.
   */
  browserUrls: Array<{ name: string; fallback: string }>;
}

/** What one app needs at run time. */
export interface AppNeeds {
  /** Services it connects to (registry names). */
  peers: readonly string[];
  /** It registers or dispatches to GPU workers, so it needs the worker host rule. */
  reachesWorkers?: boolean;
  /** It stores the operator's join token at start (the api), so workers can register. */
  seedsJoinToken?: boolean;
  /** It probes every registry service (the engine's health sweep): the cluster's NetworkPolicies let it reach every app. */
  probesEveryService?: boolean;
}

/**
 * The services each app connects to at run time. compose starts an app after exactly these
 * (service_healthy) and hands it exactly their secrets; tools/workspace-plugin/test/compose.spec.ts
 * loads every backend's config with compose's environment and fails when its peer URLs and this
 * list differ. An app not listed (made by the `service` generator) gets its kind's default.
 */
export const APP_NEEDS: Readonly<Record<string, AppNeeds>> = {
  api: { peers: ['postgres', 'redis'], reachesWorkers: true, seedsJoinToken: true },
  realtime: { peers: ['redis', 'api'] },
  automation: { peers: ['postgres', 'redis', 'api'], reachesWorkers: true, probesEveryService: true },
  'gpu-worker': { peers: ['api'] },
  // The browser talks to both; llm-deployer's server also renders pages from the api.
  site: { peers: ['api', 'realtime'] },
  'llm-deployer': { peers: ['api', 'realtime'] },
};

/** What an app the `service` generator made gets by its kind. */
export const KIND_NEEDS: Readonly<Record<string, AppNeeds>> = {
  frontend: { peers: ['api', 'realtime'] },
  http: { peers: ['postgres', 'redis'] },
  websocket: { peers: ['redis'] },
  worker: { peers: ['api'] },
};

/** The variables a frontend reads its browser-facing backend URLs from (both frontends accept every one; the first set wins). */
const BROWSER_URL_VARS = ['VITE_BACKEND_API_URL', 'VITE_BACKEND_WS_URL', 'NEXT_PUBLIC_API_URL', 'NEXT_PUBLIC_WS_URL'] as const;

function composeApp(service: ResolvedService, names: ReadonlySet<string>, registry: Registry): ComposeApp {
  const needs = APP_NEEDS[service.name] ?? KIND_NEEDS[service.kind] ?? { peers: [] };
  const dependsOn = needs.peers.filter((peer) => names.has(peer) && peer !== service.name);
  const env = serviceEnv(service.name as never, { registry, env: {}, network: 'compose' });
  return {
    dependsOn,
    postgres: dependsOn.includes('postgres'),
    redis: dependsOn.includes('redis'),
    joinToken: service.kind === 'worker' || needs.seedsJoinToken === true,
    workerHosts: needs.reachesWorkers === true,
    browserUrls: service.kind === 'frontend' ? BROWSER_URL_VARS.filter((name) => env[name]).map((name) => ({ name, fallback: env[name]! })) : [],
  };
}

/**
 * A compose interpolation that refuses to start when the variable is unset or empty
 * (`${VAR:?message}`): secrets have no default, not even in development.
 */
export interface ComposeSecret {
  /** The host environment variable. */
  name: string;
  /** `${NAME:?…}`, pasted where the value goes. */
  ref: string;
}

/** Secrets compose takes from the environment. They go into URLs, so they must be URL-safe (hex is). */
export interface ComposeSecrets {
  dbPassword: ComposeSecret;
  redisPassword: ComposeSecret;
  joinToken: ComposeSecret;
}

function composeSecret(name: string, what: string): ComposeSecret {
  return { name, ref: `\${${name}:?set ${name} to ${what}}` };
}

/** The three secrets every compose run needs; the database one is the name the local stack reads too. */
export const COMPOSE_SECRETS: ComposeSecrets = {
  dbPassword: composeSecret('HYPERNODE_DB_PASSWORD', 'the PostgreSQL password of the hypernode role (URL-safe, e.g. the output of openssl rand -hex 24)'),
  redisPassword: composeSecret('HYPERNODE_REDIS_PASSWORD', 'the Redis password (URL-safe, e.g. the output of openssl rand -hex 24)'),
  joinToken: composeSecret('HYPERNODE_JOIN_TOKEN', 'a join token for the GPU workers (hnj_ and 43 base64url characters; the api stores it at start)'),
};

/** Everything the deploy templates render from: the registry, resolved with no env overrides. */
export interface DeployModel {
  /** Every registry service, for the port table. */
  services: ResolvedService[];
  apps: AppModel[];
  infra: Record<'postgres' | 'redis' | 'solana', ResolvedService>;
  /** Apps with a proxy route, longest route first (nginx and Caddy match in that order). */
  routed: AppModel[];
  /**
   * Frontends without a route: each gets its own host name in the proxy configs, carrying the same
   * backend routes (/api/, /ws/, …) so its browser calls stay same-origin. Workers are never
   * proxied: only the engine reaches them, on the internal network.
   */
  ownHost: AppModel[];
  /** Port the reverse proxy listens on. */
  listenPort: number;
  /** Secrets compose reads from the environment, with no default. */
  secrets: ComposeSecrets;
  /** HYPERNODE_WORKER_HOSTS for the backends: the compose host names of the worker apps (the only hosts the api and engine may reach workers on). */
  workerHosts: string;
}

function flavorOf(tree: Tree, name: string): AppModel['flavor'] {
  if (tree.exists(join('apps', name, 'next.config.mjs'))) return 'next';
  if (tree.exists(join('apps', name, 'vite.config.ts'))) return 'vite';
  return 'node';
}

function entryOf(tree: Tree, name: string): string {
  return SERVE_ENTRIES.find((file) => tree.exists(join('apps', name, file))) ?? 'src/main.ts';
}

/**
 * Builds the model from the tree's registry; `listenPort` and `services` can be overridden (tests,
 * rehearsals), and `instances` gives an app several upstream ports (each a running instance).
 */
export function deployModel(tree: Tree, options: { listenPort?: number; services?: ResolvedService[]; instances?: Readonly<Record<string, readonly number[]>> } = {}): DeployModel {
  const registry = parseRegistry(tree.read(REGISTRY_RELATIVE_PATH, 'utf8') ?? '', REGISTRY_RELATIVE_PATH);
  const services = options.services ?? listServices({ registry, env: {} });
  const names = new Set(services.map((s) => s.name));
  for (const [name, ports] of Object.entries(options.instances ?? {})) {
    if (!names.has(name)) throw new Error(`instances names "${name}", which is not a service in ${REGISTRY_RELATIVE_PATH}: use one of ${[...names].join(', ')}`);
    const bad = ports.find((p) => !Number.isInteger(p) || p < 1 || p > 65_535);
    if (ports.length === 0 || bad !== undefined) throw new Error(`instances of "${name}" must be one or more ports 1-65535, got [${ports.join(', ')}]: give each running instance's port`);
  }
  const apps = services
    .filter((s) => isAppKind(s.kind))
    .map((s) => ({
      name: s.name,
      port: s.port,
      upstream: [...(options.instances?.[s.name] ?? [s.port])],
      kind: s.kind,
      route: s.route,
      healthPath: s.health.type === 'http' ? s.health.path : '/',
      entry: entryOf(tree, s.name),
      next: tree.exists(join('apps', s.name, 'next.config.mjs')),
      flavor: flavorOf(tree, s.name),
      cmd: JSON.stringify(['node', ...nodeFlags(s), 'main.js']).replaceAll(',', ', '),
      envLines: Object.entries(serviceEnv(s.name as never, { registry, env: {} })).map(([k, v]) => `${k}=${v}`),
      backend: s.kind !== 'frontend',
      worker: s.kind === 'worker',
      compose: composeApp(s, names, registry),
    }));
  const find = (name: 'postgres' | 'redis' | 'solana') => {
    const s = services.find((x) => x.name === name);
    if (!s) throw new Error(`${REGISTRY_RELATIVE_PATH} has no "${name}" entry: the deploy files need it`);
    return s;
  };
  const routed = apps.filter((a) => a.route).sort((a, b) => b.route!.length - a.route!.length);
  return { services, apps, infra: { postgres: find('postgres'), redis: find('redis'), solana: find('solana') }, routed, ownHost: apps.filter((a) => !a.route && a.kind === 'frontend'), listenPort: options.listenPort ?? 80, secrets: COMPOSE_SECRETS, workerHosts: apps.filter((a) => a.worker).map((a) => a.name).join(',') };
}
