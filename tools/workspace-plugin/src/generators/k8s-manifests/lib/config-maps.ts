import type { ClusterProfile } from '@hypernode/ports';
import { hostsOf, type ClusterApp, type ClusterModel } from './cluster-model';
import type { IConfigMap } from 'kubernetes-models/v1';
import { configMapName, labelsOf } from './labels';

/**
 * Proxies the api believes X-Forwarded-For from: the ingress controller's pods, somewhere in the
 * pod network. 10.0.0.0/8 holds the default pod CIDR of most distributions; set your cluster's
 * pod CIDR here if it differs (it only decides which address the rate limit keys anonymous calls by).
 */
export const CLUSTER_TRUST_PROXY = '10.0.0.0/8';

/** Peer URLs `hypernode env` prints for PostgreSQL and Redis, left out of the ConfigMaps. */
export const INFRA_URLS = ['POSTGRES_URL', 'REDIS_URL'] as const;

/** The host names the engine and the api may reach GPU workers on: one per pod the profile's replica range allows. */
export function workerHosts(model: ClusterModel, profile: ClusterProfile): string {
  return model.apps
    .filter((a) => a.stateful)
    .flatMap((a) => Array.from({ length: a.scale.replicas[profile][1] }, (_, i) => `${a.name}-${i}.${a.name}`))
    .join(',');
}

/** The public origin a frontend is served on in a profile (https). */
function originOf(app: ClusterApp, profile: ClusterProfile, model: ClusterModel): string {
  const { main, own } = hostsOf(profile, model.apps);
  return `https://${own.find((o) => o.app.name === app.name)?.host ?? main}`;
}

/**
 * One app's environment in a profile: what `HYPERNODE_NETWORK=kubernetes hypernode env <app>`
 * prints (peers by Service name on their registry ports), bound on every interface, plus what a
 * cluster needs: browser URLs and CORS origins on the public hosts (through the Ingress, same
 * origin per frontend), the proxy to trust and the worker host names. Secrets are not here.
 */
export function appEnvironment(app: ClusterApp, profile: ClusterProfile, model: ClusterModel): Record<string, string> {
  const env: Record<string, string> = { ...model.baseEnv[app.name]!, HYPERNODE_HOST: '0.0.0.0' };
  // PostgreSQL and Redis URLs carry credentials: the apps that use them get DATABASE_URL and
  // REDIS_URL from the Secret (and `REDIS_URL`, Redis's peer URL, would shadow the Secret's).
  for (const name of INFRA_URLS) delete env[name];
  const frontends = model.apps.filter((a) => a.kind === 'frontend');
  if (app.kind === 'frontend') {
    const origin = originOf(app, profile, model);
    env.VITE_BACKEND_API_URL = env.NEXT_PUBLIC_API_URL = `${origin}/api`;
    env.VITE_BACKEND_WS_URL = env.NEXT_PUBLIC_WS_URL = `${origin.replace(/^https/, 'wss')}/ws/`;
  } else {
    env.HYPERNODE_CORS_ORIGINS = frontends.map((f) => originOf(f, profile, model)).join(',');
  }
  if (app.reachesWorkers) env.HYPERNODE_WORKER_HOSTS = workerHosts(model, profile);
  if (app.name === 'api') env.HYPERNODE_TRUST_PROXY = CLUSTER_TRUST_PROXY;
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every app's ConfigMap for one profile. */
export function configMaps(model: ClusterModel, profile: ClusterProfile): IConfigMap[] {
  return model.apps.map((app): IConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMapName(app.name), labels: labelsOf(app.name, app.kind) }, data: appEnvironment(app, profile, model) }));
}
