import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IEnvVar, IPodTemplateSpec, IProbe, IService } from 'kubernetes-models/v1';
import { SECRET_NAME, type ClusterApp } from './cluster-model';
import { configMapName, imageOf, labelsOf, selectorOf } from './labels';

/** Where Next.js keeps its cache in the image (apps/llm-deployer/Dockerfile): the one folder it writes. */
export const NEXT_CACHE_PATH = '/app/apps/llm-deployer/.next/cache';
/** UID/GID of the `node` user the images run as (node:20-bookworm-slim). */
export const NODE_UID = 1000;
/** Seconds a pod gets after SIGTERM: every service exits within 10 s (libs/service-kit shutdown). */
export const GRACE_SECONDS = 15;

const probe = (path: string, port: number, timing: Pick<IProbe, 'periodSeconds' | 'failureThreshold'>): IProbe => ({ httpGet: { path, port }, timeoutSeconds: 2, ...timing });

/** Variables a GPU worker pod sets from its own name: its node name and the per-pod DNS name the engine dispatches to. */
export function workerPodEnv(app: ClusterApp): IEnvVar[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'GPU_WORKER_NAME', value: '$(POD_NAME)' },
    { name: 'GPU_WORKER_ADVERTISE_URL', value: `http://$(POD_NAME).${app.name}:${app.port}` },
  ];
}

function podTemplate(app: ClusterApp): IPodTemplateSpec {
  const writable = [{ name: 'tmp', mountPath: '/tmp', size: '64Mi' }, ...(app.flavor === 'next' ? [{ name: 'next-cache', mountPath: NEXT_CACHE_PATH, size: '256Mi' }] : [])];
  const env: IEnvVar[] = [...(app.stateful ? workerPodEnv(app) : []), ...app.secrets.map((s) => ({ name: s.variable, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: s.key } } }))];
  return {
    metadata: { labels: labelsOf(app.name, app.kind) },
    spec: {
      terminationGracePeriodSeconds: GRACE_SECONDS,
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: NODE_UID, runAsGroup: NODE_UID, fsGroup: NODE_UID, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: app.name,
          image: imageOf(app.name),
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: app.port }],
          envFrom: [{ configMapRef: { name: configMapName(app.name) } }],
          ...(env.length > 0 ? { env } : {}),
          resources: { requests: { ...app.scale.requests }, limits: { memory: app.scale.memoryLimit } },
          // Start-up runs migrations (api) and waits for peers: up to 60 s before liveness counts.
          startupProbe: probe(app.livePath, app.port, { periodSeconds: 2, failureThreshold: 30 }),
          livenessProbe: probe(app.livePath, app.port, { periodSeconds: 10, failureThreshold: 3 }),
          readinessProbe: probe(app.readyPath, app.port, { periodSeconds: 5, failureThreshold: 2 }),
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          volumeMounts: writable.map(({ name, mountPath }) => ({ name, mountPath })),
        },
      ],
      volumes: writable.map(({ name, size }) => ({ name, emptyDir: { sizeLimit: size } })),
    },
  };
}

/**
 * One app's workload: a Deployment, or for GPU workers a StatefulSet (stable pod names: a
 * restarted worker reclaims its node name; the engine reaches each pod on its own DNS name).
 * A scalable app leaves `replicas` to its HorizontalPodAutoscaler; the others run one.
 */
export function workload(app: ClusterApp): IDeployment | IStatefulSet {
  const metadata = { name: app.name, labels: labelsOf(app.name, app.kind) };
  const replicas = app.scale.canScale ? {} : { replicas: 1 };
  const selector = { matchLabels: selectorOf(app.name) };
  if (app.stateful) {
    return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata, spec: { serviceName: app.name, podManagementPolicy: 'Parallel', ...replicas, selector, template: podTemplate(app) } };
  }
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { ...replicas, selector, template: podTemplate(app), strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } } };
}

/** Its Service on the registry port; headless for a StatefulSet (per-pod DNS names). */
export function service(app: ClusterApp): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app.name, labels: labelsOf(app.name, app.kind) },
    spec: { ...(app.stateful ? { clusterIP: 'None' } : {}), selector: selectorOf(app.name), ports: [{ name: 'http', port: app.port, targetPort: 'http' }] },
  };
}

/** Scalable apps: at most one pod down for a voluntary disruption (a node drain), whatever the replica count. */
export function disruptionBudget(app: ClusterApp): IPodDisruptionBudget | undefined {
  if (!app.scale.canScale) return undefined;
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: app.name, labels: labelsOf(app.name, app.kind) }, spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf(app.name) } } };
}
