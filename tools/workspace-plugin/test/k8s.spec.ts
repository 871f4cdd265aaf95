import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { workerUrlAllowed } from '@hypernode/auth';
import { CLUSTER_PROFILES, isAppKind, listServices, portFor, scaleOf, type ClusterProfile } from '@hypernode/ports';
import { PROBE_ROUTES } from '@hypernode/service-kit';
// The contract is between the cluster's environment and each app's real config loader (as in
// compose.spec.ts): a tool importing apps, only here and only their config modules.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadConfig as loadApiConfig } from '@hypernode/api/src/config.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadAutomationConfig } from '@hypernode/automation/src/config.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadWorkerConfig } from '@hypernode/gpu-worker/src/config.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadRealtimeConfig } from '@hypernode/realtime/src/config.js';
import { SECRET_KEYS } from '../src/generators/k8s-manifests/lib/cluster-model';
import { DATA_SECRET_KEYS } from '../src/generators/k8s-manifests/lib/in-cluster-data';
import { kustomizeBuild, type Built } from './k8s-build';

const ROOT = resolve(__dirname, '../../..');
const K8S = resolve(ROOT, 'deploy/k8s/overlays');
type Env = Record<string, string>;

/** The Kubernetes model class of each kind the tree uses; its validate() checks the object against the OpenAPI schema. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': apps.Deployment,
  'apps/v1/StatefulSet': apps.StatefulSet,
  'v1/Service': core.Service,
  'v1/ConfigMap': core.ConfigMap,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': networking.NetworkPolicy,
  'networking.k8s.io/v1/Ingress': networking.Ingress,
};

/** Schema problems of one object ('' when valid). */
function schemaProblem(o: Built): string {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) return `${o.file}: ${o.apiVersion} ${o.kind} has no model here: add it to MODELS`;
  const { file: _file, ...data } = o;
  try {
    new Model(data as never).validate();
    return '';
  } catch (error) {
    return `${o.file}: ${o.kind} ${o.metadata.name}: ${(error as Error).message}`;
  }
}

const registry = listServices({ env: {} });
const portOf = (name: string) => registry.find((s) => s.name === name)!.registryPort;

/** Values only this test uses, as the Secret would hold them. */
const SECRETS: Record<string, string> = {
  'database-url': `postgresql://hypernode:k8s-5e1f0a@postgres:${portOf('postgres')}/hypernode`,
  'redis-url': `redis://:k8s-9c2b7d@redis:${portOf('redis')}`,
  'join-token': `hnj_${'k8s-c0ntract-'.padEnd(43, 'x')}`,
  'db-password': 'k8s-5e1f0a',
  'redis-password': 'k8s-9c2b7d',
};

const workloads = (objects: Built[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const find = (objects: Built[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);
/** The workloads whose pods a label selector picks. */
const selected = (objects: Built[], selector: Record<string, string>) => workloads(objects).filter((w) => matches(selector, w.spec.template.metadata.labels));

/**
 * The environment Kubernetes gives a pod's first container: envFrom ConfigMaps, then `env`
 * (which wins), `$(VAR)` expanded from what came before, Secret keys from SECRETS.
 */
function podEnv(objects: Built[], workload: Built, podName: string): Env {
  const container = workload.spec.template.spec.containers[0];
  const env: Env = {};
  for (const from of container.envFrom ?? []) {
    const map = find(objects, 'ConfigMap', from.configMapRef.name);
    if (!map) throw new Error(`${workload.metadata.name}: envFrom ConfigMap ${from.configMapRef.name} is not in the build`);
    Object.assign(env, map.data);
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value).replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
    else if (entry.valueFrom?.secretKeyRef) env[entry.name] = SECRETS[entry.valueFrom.secretKeyRef.key]!;
    else if (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[entry.name] = podName;
    else throw new Error(`${workload.metadata.name}: env ${entry.name} has a source this test does not know`);
  }
  return env;
}

const LOADERS: Record<string, (env: Env) => object> = {
  api: (env) => loadApiConfig(env),
  realtime: (env) => loadRealtimeConfig(env),
  automation: (env) => loadAutomationConfig(env),
  'gpu-worker': (env) => loadWorkerConfig(env, portFor('gpu-worker', { env, alone: true })),
};
/** Config fields that hold browser origins, not peers. */
const BROWSER_FIELDS = new Set(['corsOrigins', 'allowedOrigins']);

function urlsIn(value: unknown, path = ''): Array<{ path: string; field: string; url: URL }> {
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? [{ path, field: path.replace(/\[\d+\]$/, '').split('.').pop()!, url: new URL(value) }] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => urlsIn(item, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => urlsIn(item, path ? `${path}.${key}` : key));
  return [];
}

/** Does `policy`'s egress (from `from`) or ingress (to `to`) allow this connection on `port`? */
function allows(rules: Array<{ to?: unknown[]; from?: unknown[]; ports?: Array<{ port: number }> }> | undefined, peerLabels: Record<string, string> | undefined, port: number, side: 'to' | 'from'): boolean {
  return (rules ?? []).some((rule) => {
    const portOk = !rule.ports || rule.ports.some((p) => p.port === port);
    const peers = rule[side] as Array<{ podSelector?: { matchLabels: Record<string, string> } }> | undefined;
    const peerOk = !peers || (peerLabels !== undefined && peers.some((p) => p.podSelector && matches(p.podSelector.matchLabels, peerLabels)));
    return portOk && peerOk;
  });
}

/** The NetworkPolicies that select a pod with these labels. */
const policiesFor = (objects: Built[], labels: Record<string, string>) => objects.filter((o) => o.kind === 'NetworkPolicy' && matches(o.spec.podSelector.matchLabels ?? {}, labels));

const appServices = registry.filter((s) => isAppKind(s.kind));
const OVERLAY_NAMES = [...CLUSTER_PROFILES, 'in-cluster-data'] as const;
const profileOf = (overlay: string): ClusterProfile => (overlay === 'production' ? 'production' : 'staging');

describe.each(OVERLAY_NAMES)('deploy/k8s/overlays/%s', (overlay) => {
  const objects = kustomizeBuild(resolve(K8S, overlay));
  const profile = profileOf(overlay);

  it('every object is valid against the Kubernetes OpenAPI schemas (kubernetes-models), in one namespace, with a unique kind/name', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.map(schemaProblem).filter(Boolean)).toEqual([]);
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set([profile === 'production' ? 'hypernode' : 'hypernode-staging']));
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('every app has a workload and a Service on its registry port whose selector picks exactly that workload', () => {
    for (const app of appServices) {
      const svc = find(objects, 'Service', app.name);
      expect(svc, app.name).toBeDefined();
      expect(svc!.spec.ports.map((p: { port: number }) => p.port), app.name).toEqual([app.registryPort]);
      const picked = selected(objects, svc!.spec.selector);
      expect(picked.map((w) => w.metadata.name), app.name).toEqual([app.name]);
      const container = picked[0]!.spec.template.spec.containers[0];
      const named = container.ports.find((p: { name: string }) => p.name === svc!.spec.ports[0].targetPort);
      expect(named?.containerPort, `${app.name}: the Service's targetPort names a container port`).toBe(app.registryPort);
    }
  });

  it('probes hit paths the apps serve: liveness on the registry health path, readiness on /ready for backends', () => {
    for (const app of appServices) {
      const container = find(objects, app.kind === 'worker' ? 'StatefulSet' : 'Deployment', app.name)!.spec.template.spec.containers[0];
      const healthPath = app.health.type === 'http' ? app.health.path : '/';
      expect(container.livenessProbe.httpGet, app.name).toEqual({ path: healthPath, port: app.registryPort });
      expect(container.startupProbe.httpGet, app.name).toEqual({ path: healthPath, port: app.registryPort });
      const ready = container.readinessProbe.httpGet.path as string;
      expect(container.readinessProbe.httpGet.port, app.name).toBe(app.registryPort);
      if (app.kind === 'frontend') {
        expect(ready, app.name).toBe(healthPath);
        continue;
      }
      // A backend's probe routes are service-kit's, and its source registers each one.
      const source = ['app.ts', 'server.ts', 'routes/health.ts'].map((f) => resolve(ROOT, 'apps', app.name, 'src', f)).filter(existsSync).map((f) => readFileSync(f, 'utf8')).join('\n');
      for (const path of [healthPath, ready]) {
        expect(PROBE_ROUTES.has(path), `${app.name} ${path}`).toBe(true);
        expect(source, `${app.name} serves ${path}`).toMatch(new RegExp(`(get\\(|path === )'${path}'`));
      }
    }
  });

  it('runs every app as non-root with a read-only root filesystem; the only writable paths are emptyDirs (/tmp, Next.js cache)', () => {
    for (const w of workloads(objects).filter((o) => isAppKind(registry.find((s) => s.name === o.metadata.name)?.kind ?? 'infra'))) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot, w.metadata.name).toBe(true);
      expect(pod.securityContext.runAsUser, w.metadata.name).toBeGreaterThan(0);
      const c = pod.containers[0];
      expect(c.securityContext, w.metadata.name).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      for (const mount of c.volumeMounts) expect(pod.volumes.find((v: { name: string }) => v.name === mount.name)?.emptyDir, `${w.metadata.name} ${mount.mountPath}`).toBeDefined();
      const paths = c.volumeMounts.map((m: { mountPath: string }) => m.mountPath);
      expect(paths, w.metadata.name).toEqual(w.metadata.name === 'llm-deployer' ? ['/tmp', '/app/apps/llm-deployer/.next/cache'] : ['/tmp']);
    }
  });

  it('resources come from the registry; scalable apps get a PDB and an HPA on their replica range, the others one replica and neither', () => {
    for (const app of appServices) {
      const scale = scaleOf(app);
      const w = find(objects, app.kind === 'worker' ? 'StatefulSet' : 'Deployment', app.name)!;
      expect(w.spec.template.spec.containers[0].resources, app.name).toEqual({ requests: scale.requests, limits: { memory: scale.memoryLimit } });
      const hpa = find(objects, 'HorizontalPodAutoscaler', app.name);
      const pdb = find(objects, 'PodDisruptionBudget', app.name);
      if (!scale.canScale) {
        expect([hpa, pdb, w.spec.replicas], app.name).toEqual([undefined, undefined, 1]);
        continue;
      }
      expect(w.spec.replicas, `${app.name}: the HPA owns replicas`).toBeUndefined();
      expect([hpa!.spec.minReplicas, hpa!.spec.maxReplicas], app.name).toEqual(scale.replicas[profile]);
      expect(hpa!.spec.scaleTargetRef, app.name).toEqual({ apiVersion: 'apps/v1', kind: w.kind, name: app.name });
      expect(selected(objects, pdb!.spec.selector.matchLabels).map((x) => x.metadata.name), app.name).toEqual([app.name]);
    }
  });

  it('the Ingress routes as nginx does: every registry route on every public host, each frontend at / of its host, to Services and ports that exist', () => {
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    const rules = ingresses.flatMap((i) => i.spec.rules.flatMap((r: { host: string; http: { paths: Array<{ path: string; backend: { service: { name: string; port: { number: number } } } }> } }) => r.http.paths.map((p) => ({ ingress: i, host: r.host, ...p }))));
    for (const r of rules) {
      const svc = find(objects, 'Service', r.backend.service.name);
      expect(svc, `${r.host}${r.path}`).toBeDefined();
      expect(svc!.spec.ports.map((p: { port: number }) => p.port), `${r.host}${r.path}`).toContain(r.backend.service.port.number);
    }
    const hosts = [...new Set(rules.map((r) => r.host))];
    expect(hosts.length).toBe(2);
    for (const host of hosts) {
      for (const app of appServices.filter((s) => s.route && s.route !== '/')) {
        const rule = rules.find((r) => r.host === host && r.backend.service.name === app.name);
        expect(rule?.path, `${host} ${app.route}`).toBe(`${app.route!.slice(0, -1)}(/|$)(.*)`);
        // nginx's `proxy_pass http://api/` strips the prefix; so does the rewrite.
        expect(rule!.ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'], `${host} ${app.route}`).toBe('/$2');
        if (app.kind === 'websocket') expect(Number(rule!.ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
      }
      const root = rules.filter((r) => r.host === host && r.path === '/').map((r) => r.backend.service.name);
      expect(root.length, host).toBe(1);
      expect(registry.find((s) => s.name === root[0])?.kind, host).toBe('frontend');
    }
    expect(rules.some((r) => registry.find((s) => s.name === r.backend.service.name)?.kind === 'worker'), 'workers are never routed').toBe(false);
  });

  it('secrets are only referenced: no Secret object, every key one the README documents', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const known = new Set<string>([...SECRET_KEYS, ...Object.keys(DATA_SECRET_KEYS)]);
    const refs = workloads(objects).flatMap((w) => w.spec.template.spec.containers.flatMap((c: { env?: Array<{ valueFrom?: { secretKeyRef?: { name: string; key: string } } }> }) => (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : []))));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(known.has(ref.key), ref.key).toBe(true);
    for (const map of objects.filter((o) => o.kind === 'ConfigMap')) expect(Object.values(map.data ?? {}).join(' '), map.metadata.name).not.toMatch(/hnj_|:\/\/[^/@]*:[^/@]*@/);
  });

  describe.each(['api', 'realtime', 'automation', 'gpu-worker'])('%s, loaded with exactly the environment its pod gets (ConfigMap + Secret keys)', (name) => {
    const workload = find(objects, name === 'gpu-worker' ? 'StatefulSet' : 'Deployment', name)!;
    const podName = name === 'gpu-worker' ? `${name}-0` : `${name}-7d9f-abcde`;
    const env = podEnv(objects, workload, podName);

    it('starts (its loader accepts the environment) in the production profile, bound on every interface, on its registry port', () => {
      expect(() => LOADERS[name]!(env)).not.toThrow();
      expect(env.HYPERNODE_PROFILE).toBe('production');
      expect(env.HYPERNODE_NETWORK).toBe('kubernetes');
      expect(env.HYPERNODE_HOST).toBe('0.0.0.0');
      expect(portFor(name as never, { env, alone: true })).toBe(registry.find((s) => s.name === name)!.registryPort);
    });

    it('every peer URL in its config names a Service of the build on a port it serves, and the NetworkPolicies let that connection through both ways', () => {
      const config = LOADERS[name]!(env);
      const problems: string[] = [];
      const own = workload.spec.template.metadata.labels;
      const peerUrls = urlsIn(config).filter((u) => !BROWSER_FIELDS.has(u.field) && u.field !== 'advertiseUrl');
      expect(peerUrls.length).toBeGreaterThan(0);
      for (const { path, url } of peerUrls) {
        const host = url.hostname;
        const port = Number(url.port);
        const svc = find(objects, 'Service', host);
        const infra = host === 'postgres' || host === 'redis';
        if (!svc && !infra) {
          problems.push(`${name}.${path} = ${url.href}: no Service "${host}"`);
          continue;
        }
        // PostgreSQL and Redis are reached with the Secret's URL (its password), never the bare peer URL.
        if (infra && url.password !== new URL(SECRETS[host === 'postgres' ? 'database-url' : 'redis-url']!).password) problems.push(`${name}.${path} = ${url.href}: not the Secret's ${host === 'postgres' ? 'database-url' : 'redis-url'} (no or another password)`);
        if (svc && !svc.spec.ports.some((p: { port: number }) => p.port === port)) problems.push(`${name}.${path} = ${url.href}: Service ${host} has no port ${port}`);
        const target = svc ? selected(objects, svc.spec.selector)[0]?.spec.template.metadata.labels : undefined;
        if (!policiesFor(objects, own).some((p) => allows(p.spec.egress, target, port, 'to'))) problems.push(`${name}.${path}: egress to ${host}:${port} is not allowed`);
        if (target && !policiesFor(objects, target).some((p) => allows(p.spec.ingress, own, port, 'from'))) problems.push(`${name}.${path}: ${host} does not accept ${name} on ${port}`);
      }
      expect(problems).toEqual([]);
    });
  });

  it('a GPU worker pod registers as its pod name and advertises its own DNS name, which the api and the engine accept and the headless Service resolves', () => {
    const worker = find(objects, 'StatefulSet', 'gpu-worker')!;
    const maxPods = scaleOf(registry.find((s) => s.name === 'gpu-worker')!).replicas[profile][1];
    const api = loadApiConfig(podEnv(objects, find(objects, 'Deployment', 'api')!, 'api-x'));
    const engine = loadAutomationConfig(podEnv(objects, find(objects, 'Deployment', 'automation')!, 'automation-x'));
    for (const index of [0, maxPods - 1]) {
      const config = loadWorkerConfig(podEnv(objects, worker, `gpu-worker-${index}`), portFor('gpu-worker', { env: {} }));
      expect(config.name).toBe(`gpu-worker-${index}`);
      expect(config.advertiseUrl).toBe(`http://gpu-worker-${index}.gpu-worker:${portFor('gpu-worker', { env: {} })}`);
      expect(workerUrlAllowed(config.advertiseUrl, { profile: api.profile, allowed: api.workerHosts }), `api accepts pod ${index}`).toBe(true);
      expect(workerUrlAllowed(config.advertiseUrl, { profile: engine.profile, allowed: engine.workerHosts }), `engine reaches pod ${index}`).toBe(true);
    }
    // One past the autoscaler's maximum is refused: the host list follows the registry's range.
    expect(workerUrlAllowed(`http://gpu-worker-${maxPods}.gpu-worker:${portOf('gpu-worker')}`, { profile: api.profile, allowed: api.workerHosts })).toBe(false);
    const svc = find(objects, 'Service', 'gpu-worker')!;
    expect([svc.spec.clusterIP, worker.spec.serviceName]).toEqual(['None', 'gpu-worker']);
  });

  it("the automation engine's health sweep reaches every app (its NetworkPolicy egress and each app's ingress)", () => {
    const engine = find(objects, 'Deployment', 'automation')!.spec.template.metadata.labels;
    for (const app of appServices.filter((s) => s.name !== 'automation')) {
      const labels = workloads(objects).find((w) => w.metadata.name === app.name)!.spec.template.metadata.labels;
      expect(policiesFor(objects, engine).some((p) => allows(p.spec.egress, labels, app.registryPort, 'to')), app.name).toBe(true);
      expect(policiesFor(objects, labels).some((p) => allows(p.spec.ingress, engine, app.registryPort, 'from')), app.name).toBe(true);
    }
  });

  it('denies what APP_NEEDS does not list: a GPU worker cannot open PostgreSQL, Redis or the engine; the site cannot open PostgreSQL', () => {
    const labels = (name: string) => workloads(objects).find((w) => w.metadata.name === name)?.spec.template.metadata.labels;
    const worker = labels('gpu-worker')!;
    for (const port of [portOf('postgres'), portOf('redis')]) expect(policiesFor(objects, worker).some((p) => allows(p.spec.egress, undefined, port, 'to')), `gpu-worker → ${port}`).toBe(false);
    expect(policiesFor(objects, worker).some((p) => allows(p.spec.egress, labels('automation'), portOf('automation'), 'to'))).toBe(false);
    expect(policiesFor(objects, labels('site')!).some((p) => allows(p.spec.egress, undefined, portOf('postgres'), 'to'))).toBe(false);
    expect(objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny')?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });
});

describe('the in-cluster data overlay', () => {
  const objects = kustomizeBuild(resolve(K8S, 'in-cluster-data'));
  it('runs PostgreSQL and Redis as StatefulSets behind Services named as the Secret URLs say, open only to the apps that use them', () => {
    for (const [name, port] of [['postgres', portOf('postgres')], ['redis', portOf('redis')]] as const) {
      expect(find(objects, 'StatefulSet', name), name).toBeDefined();
      expect(new URL(SECRETS[name === 'postgres' ? 'database-url' : 'redis-url']!).hostname).toBe(name);
      const svc = find(objects, 'Service', name)!;
      expect(selected(objects, svc.spec.selector).map((w) => w.metadata.name)).toEqual([name]);
      const users = find(objects, 'NetworkPolicy', name)!.spec.ingress[0].from.map((f: { podSelector: { matchLabels: Record<string, string> } }) => f.podSelector.matchLabels['app.kubernetes.io/name']).sort();
      expect(users, name).toEqual(name === 'postgres' ? ['api', 'automation'] : ['api', 'automation', 'realtime']);
      expect(svc.spec.ports[0].port).toBe(port);
    }
  });
});

describe('the schema check itself', () => {
  it('refuses a broken manifest, naming the field (so a pass above means something)', () => {
    const [deployment] = kustomizeBuild(resolve(K8S, 'production')).filter((o) => o.kind === 'Deployment');
    const broken = structuredClone(deployment!);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(schemaProblem(broken)).toMatch(/containerPort must be integer/);
    delete broken.spec.selector;
    expect(schemaProblem(broken)).toMatch(/data\/spec must have required property selector/);
  });
});
