import type { ClusterApp, ClusterModel } from './cluster-model';
import type { INetworkPolicy, INetworkPolicyEgressRule, INetworkPolicyIngressRule, INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1';
import { labelsOf, selectorOf } from './labels';

/** Namespace of the ingress controller (ingress-nginx's default install). */
export const INGRESS_NAMESPACE = 'ingress-nginx';
const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';
/** The cluster DNS (kube-system), not a Hypernode service: every pod resolves Service names through it. */
export const CLUSTER_DNS_PORT = 53;
const LABELS = { 'app.kubernetes.io/part-of': 'hypernode', 'app.kubernetes.io/managed-by': 'hypernode-sync' };

/** The apps `app` opens connections to: its peers, the GPU workers when it dispatches to them, every app when it probes them all. */
export function appTargets(app: ClusterApp, model: ClusterModel): ClusterApp[] {
  return model.apps.filter((other) => other.name !== app.name && (app.peers.includes(other.name) || (app.reachesWorkers && other.stateful) || app.probesEveryService));
}

/** The infra services (PostgreSQL, Redis) `app` connects to, with their ports. */
export function infraTargets(app: ClusterApp, model: ClusterModel): Array<{ name: 'postgres' | 'redis'; port: number }> {
  return (['postgres', 'redis'] as const).filter((name) => app.peers.includes(name)).map((name) => ({ name, port: model.infra[name] }));
}

/** True when the Ingress routes to `app` (a route, or a frontend on its own host). */
export function isPublic(app: ClusterApp): boolean {
  return app.route !== undefined || app.kind === 'frontend';
}

/** Everything in the namespace is denied both ways unless a policy below allows it. */
export function defaultDeny(): INetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', labels: LABELS }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
}

/**
 * What one app may receive and send (APP_NEEDS): in — from the ingress controller when routed,
 * from each app that talks to it, on its port; out — DNS, each app it talks to on that app's
 * port, and PostgreSQL/Redis on their ports anywhere (managed services outside the cluster by
 * default, or the in-cluster overlay's StatefulSets).
 */
export function appPolicy(app: ClusterApp, model: ClusterModel): INetworkPolicy {
  const port = (p: number): INetworkPolicyPort[] => [{ protocol: 'TCP', port: p }];
  const callers = model.apps.filter((other) => appTargets(other, model).some((t) => t.name === app.name));
  const ingress: INetworkPolicyIngressRule[] = [
    ...(isPublic(app) ? [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: INGRESS_NAMESPACE } } }], ports: port(app.port) }] : []),
    ...(callers.length > 0 ? [{ from: callers.map((c) => ({ podSelector: { matchLabels: selectorOf(c.name) } })), ports: port(app.port) }] : []),
  ];
  const egress: INetworkPolicyEgressRule[] = [
    { to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: 'kube-system' } } }], ports: [{ protocol: 'UDP', port: CLUSTER_DNS_PORT }, { protocol: 'TCP', port: CLUSTER_DNS_PORT }] },
    ...appTargets(app, model).map((t) => ({ to: [{ podSelector: { matchLabels: selectorOf(t.name) } }], ports: port(t.port) })),
    ...infraTargets(app, model).map((t) => ({ ports: port(t.port) })),
  ];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: app.name, labels: labelsOf(app.name, app.kind) },
    spec: { podSelector: { matchLabels: selectorOf(app.name) }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
}
