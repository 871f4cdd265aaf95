import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { isAppKind, listServices, parseRegistry, REGISTRY_RELATIVE_PATH, serviceEnv, type ResolvedService } from '@hypernode/ports';
import { SERVE_ENTRIES } from '../../../serve-target';

/** What the deploy templates know of one app. */
export interface AppModel {
  name: string;
  port: number;
  kind: string;
  route?: string;
  healthPath: string;
  /** File the container starts (`serve.ts` or `src/main.ts`). */
  entry: string;
  /** True for the Next.js app, whose image needs a `next build`. */
  next: boolean;
  /** Which Dockerfile template it gets: a bundled Node service, the Vite static site, or Next.js standalone. */
  flavor: 'node' | 'vite' | 'next';
  /** Lines of its .env.example. */
  envLines: string[];
  /** True for apps that get the database and Redis URLs in compose (every kind but frontends). */
  backend: boolean;
  /** True for GPU workers: they get the join token they register with. */
  worker: boolean;
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
  joinToken: composeSecret('HYPERNODE_JOIN_TOKEN', 'a join token the GPU workers register with (hnj_..., from npx hypernode join-tokens create --uses 10 against this database)'),
};

/** Everything the deploy templates render from: the registry, resolved with no env overrides. */
export interface DeployModel {
  /** Every registry service, for the port table. */
  services: ResolvedService[];
  apps: AppModel[];
  infra: Record<'postgres' | 'redis' | 'solana', ResolvedService>;
  /** Apps with a proxy route, longest route first (nginx and Caddy match in that order). */
  routed: AppModel[];
  /** Apps without a route: each gets its own host name in the proxy configs. */
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

/** Builds the model from the tree's registry; `listenPort` and `services` can be overridden for tests. */
export function deployModel(tree: Tree, options: { listenPort?: number; services?: ResolvedService[] } = {}): DeployModel {
  const registry = parseRegistry(tree.read(REGISTRY_RELATIVE_PATH, 'utf8') ?? '', REGISTRY_RELATIVE_PATH);
  const services = options.services ?? listServices({ registry, env: {} });
  const apps = services
    .filter((s) => isAppKind(s.kind))
    .map((s) => ({
      name: s.name,
      port: s.port,
      kind: s.kind,
      route: s.route,
      healthPath: s.health.type === 'http' ? s.health.path : '/',
      entry: entryOf(tree, s.name),
      next: tree.exists(join('apps', s.name, 'next.config.mjs')),
      flavor: flavorOf(tree, s.name),
      envLines: Object.entries(serviceEnv(s.name as never, { registry, env: {} })).map(([k, v]) => `${k}=${v}`),
      backend: s.kind !== 'frontend',
      worker: s.kind === 'worker',
    }));
  const find = (name: 'postgres' | 'redis' | 'solana') => {
    const s = services.find((x) => x.name === name);
    if (!s) throw new Error(`${REGISTRY_RELATIVE_PATH} has no "${name}" entry: the deploy files need it`);
    return s;
  };
  const routed = apps.filter((a) => a.route).sort((a, b) => b.route!.length - a.route!.length);
  return { services, apps, infra: { postgres: find('postgres'), redis: find('redis'), solana: find('solana') }, routed, ownHost: apps.filter((a) => !a.route), listenPort: options.listenPort ?? 80, secrets: COMPOSE_SECRETS, workerHosts: apps.filter((a) => a.worker).map((a) => a.name).join(',') };
}
