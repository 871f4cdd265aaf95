import type { Tree } from '@nx/devkit';
import { CLUSTER_PROFILES, parseRegistry, REGISTRY_RELATIVE_PATH, scaleOf, serviceEnv, type ClusterProfile, type ScaleSpec } from '@hypernode/ports';
import { APP_NEEDS, deployModel, KIND_NEEDS, type AppModel } from '../../deploy-artifacts/lib/model';

/** The public host names of each cluster profile; a frontend without a route gets `<name>.<host>`, as in the nginx config. */
export const CLUSTER_HOSTS: Readonly<Record<ClusterProfile, string>> = {
  production: 'hypernodesolana.org',
  staging: 'staging.hypernodesolana.org',
};

/** Namespace of each overlay. */
export const NAMESPACES: Readonly<Record<ClusterProfile, string>> = { production: 'hypernode', staging: 'hypernode-staging' };

/** The Secret every overlay references and nobody commits (`kubectl create secret generic hypernode …`). */
export const SECRET_NAME = 'hypernode';
/** The TLS Secret the Ingresses name (cert-manager or `kubectl create secret tls`). */
export const TLS_SECRET_NAME = 'hypernode-tls';

/** One environment variable an app takes from the Secret, and the Secret key it reads. */
export interface SecretRef {
  variable: string;
  key: SecretKey;
}

/** The Secret's keys, each with what it holds (for the generated comments and the README), on the registry's ports. */
export function secretKeys(infra: { postgres: number; redis: number }): Record<SecretKey, string> {
  return {
    'database-url': `postgresql://hypernode:<password>@postgres:${infra.postgres}/hypernode (postgres: an ExternalName Service to a managed database, or the in-cluster overlay's StatefulSet)`,
    'redis-url': `redis://:<password>@redis:${infra.redis}`,
    'join-token': 'hnj_ and 43 base64url characters: the join token the GPU workers register with (the api stores it at start)',
  };
}

/** The keys apps read from the Secret. */
export const SECRET_KEYS = ['database-url', 'redis-url', 'join-token'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** What the manifests know of one app. */
export interface ClusterApp {
  name: string;
  kind: string;
  port: number;
  route?: string;
  /** Liveness path (the registry's health path). */
  livePath: string;
  /** Readiness path: `/ready` for backends (service-kit's probe route, 503 while a dependency is down), the health path for frontends. */
  readyPath: string;
  flavor: AppModel['flavor'];
  scale: ScaleSpec;
  /** Registry names of the services it connects to (APP_NEEDS). */
  peers: string[];
  /** It dispatches to or registers GPU workers. */
  reachesWorkers: boolean;
  /** It probes every service (the automation engine's health sweep). */
  probesEveryService: boolean;
  /** Variables from the Secret. */
  secrets: SecretRef[];
  /** GPU workers: a StatefulSet, so each pod has a stable name and DNS name to register and be reached on. */
  stateful: boolean;
}

/** Everything the manifests render from. */
export interface ClusterModel {
  apps: ClusterApp[];
  /** Port of PostgreSQL and Redis (external by default). */
  infra: { postgres: number; redis: number };
  /** `hypernode env <app>` for the cluster: HYPERNODE_NETWORK=kubernetes, production profile, no overrides. */
  baseEnv: Record<string, Record<string, string>>;
}

/** Readiness route every service-kit backend serves (libs/service-kit PROBE_ROUTES). */
export const READY_PATH = '/ready';

export function clusterModel(tree: Tree): ClusterModel {
  const deploy = deployModel(tree);
  const registry = parseRegistry(tree.read(REGISTRY_RELATIVE_PATH, 'utf8') ?? '', REGISTRY_RELATIVE_PATH);
  const apps = deploy.apps.map((app): ClusterApp => {
    const entry = registry.services.find((s) => s.name === app.name)!;
    const needs = APP_NEEDS[app.name] ?? KIND_NEEDS[app.kind] ?? { peers: [] };
    const secrets: SecretRef[] = [];
    if (app.compose.postgres) secrets.push({ variable: 'DATABASE_URL', key: 'database-url' });
    if (app.compose.redis) secrets.push({ variable: 'REDIS_URL', key: 'redis-url' });
    if (app.compose.joinToken) secrets.push({ variable: 'HYPERNODE_JOIN_TOKEN', key: 'join-token' });
    return {
      name: app.name,
      kind: app.kind,
      port: app.port,
      route: app.route,
      livePath: app.healthPath,
      readyPath: app.backend ? READY_PATH : app.healthPath,
      flavor: app.flavor,
      scale: scaleOf(entry),
      peers: app.compose.dependsOn,
      reachesWorkers: needs.reachesWorkers === true,
      probesEveryService: needs.probesEveryService === true,
      secrets,
      stateful: app.worker,
    };
  });
  const baseEnv = Object.fromEntries(apps.map((a) => [a.name, serviceEnv(a.name as never, { registry, env: {}, network: 'kubernetes', profile: 'production' })]));
  return { apps, infra: { postgres: deploy.infra.postgres.port, redis: deploy.infra.redis.port }, baseEnv };
}

/** The profiles an overlay is rendered for. */
export const OVERLAYS: readonly ClusterProfile[] = CLUSTER_PROFILES;

/** The hosts a profile's Ingress serves: the main host (routed apps) and `<frontend>.<host>` per frontend without a route. */
export function hostsOf(profile: ClusterProfile, apps: readonly ClusterApp[]): { main: string; own: Array<{ app: ClusterApp; host: string }> } {
  const main = CLUSTER_HOSTS[profile];
  return { main, own: apps.filter((a) => a.kind === 'frontend' && !a.route).map((app) => ({ app, host: `${app.name}.${main}` })) };
}
