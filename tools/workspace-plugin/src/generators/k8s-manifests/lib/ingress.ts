import type { ClusterProfile } from '@hypernode/ports';
import { hostsOf, TLS_SECRET_NAME, type ClusterApp, type ClusterModel } from './cluster-model';
import type { IHTTPIngressPath, IIngress } from 'kubernetes-models/networking.k8s.io/v1';

/** ingress-nginx: WebSocket connections idle up to an hour (realtime pings well within it), as the nginx config's proxy_read_timeout. */
export const WEBSOCKET_TIMEOUT_S = '3600';
const LABELS = { 'app.kubernetes.io/part-of': 'hypernode', 'app.kubernetes.io/managed-by': 'hypernode-sync' };

/** `/api/` → the regex ingress-nginx matches, capturing the rest for the rewrite (`/api/x` → `/x`, as nginx's `proxy_pass http://api/`). */
export function routeRegex(route: string): string {
  return `${route.replace(/\/$/, '')}(/|$)(.*)`;
}

type Route = { path: string; pathType: IHTTPIngressPath['pathType']; app: ClusterApp };
const backend = (app: ClusterApp): IHTTPIngressPath['backend'] => ({ service: { name: app.name, port: { number: app.port } } });

function ingress(name: string, hosts: string[], paths: Route[], annotations: Record<string, string>, perHost?: (host: string) => Route[]): IIngress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, labels: LABELS, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts, secretName: TLS_SECRET_NAME }],
      rules: hosts.map((host) => ({ host, http: { paths: (perHost ? perHost(host) : paths).map((p) => ({ path: p.path, pathType: p.pathType, backend: backend(p.app) })) } })),
    },
  };
}

/**
 * The routes of deploy/nginx/hypernode.conf for ingress-nginx: backend routes (prefix stripped)
 * on every public host, so each frontend's browser calls stay same-origin; `/ws/` in its own
 * Ingress with the WebSocket timeouts; each frontend at `/` of its host. Workers are never routed.
 */
export function ingresses(model: ClusterModel, profile: ClusterProfile): IIngress[] {
  const { main, own } = hostsOf(profile, model.apps);
  const hosts = [main, ...own.map((o) => o.host)];
  const routed = model.apps.filter((a) => a.route && a.route !== '/' && a.kind !== 'frontend').sort((a, b) => b.route!.length - a.route!.length);
  const regex = { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' };
  const toPath = (app: ClusterApp): Route => ({ path: routeRegex(app.route!), pathType: 'ImplementationSpecific', app });
  const http = routed.filter((a) => a.kind !== 'websocket').map(toPath);
  const ws = routed.filter((a) => a.kind === 'websocket').map(toPath);
  const site = model.apps.find((a) => a.route === '/');
  const web = (host: string): Route[] => {
    const app = own.find((o) => o.host === host)?.app ?? site;
    return app ? [{ path: '/', pathType: 'Prefix', app }] : [];
  };
  return [
    ingress('hypernode-api', hosts, http, regex),
    ingress('hypernode-ws', hosts, ws, { ...regex, 'nginx.ingress.kubernetes.io/proxy-read-timeout': WEBSOCKET_TIMEOUT_S, 'nginx.ingress.kubernetes.io/proxy-send-timeout': WEBSOCKET_TIMEOUT_S }),
    ingress('hypernode-web', hosts, [], {}, web),
  ].filter((i) => (i.spec?.rules ?? []).some((r) => (r.http?.paths.length ?? 0) > 0));
}
