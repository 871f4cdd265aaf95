import { SECRET_NAME, type ClusterModel } from './cluster-model';
import { infraTargets } from './network-policies';
import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IContainer, IEnvVar, IService } from 'kubernetes-models/v1';
import { labelsOf, selectorOf, type K8sObject } from './labels';

/** Images of the in-cluster overlay: the ones docker-compose.yml runs. */
export const DATA_IMAGES = { postgres: 'postgres:15', redis: 'redis:7-alpine' } as const;

const secretEnv = (name: string, key: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: SECRET_NAME, key } } });

/** Extra Secret keys the in-cluster overlay reads (the passwords inside database-url and redis-url). */
export const DATA_SECRET_KEYS = { 'db-password': 'the PostgreSQL password inside database-url', 'redis-password': 'the Redis password inside redis-url' } as const;

function statefulSet(name: 'postgres' | 'redis', port: number): IStatefulSet {
  const postgres = name === 'postgres';
  const container: IContainer = postgres
    ? {
        name,
        image: DATA_IMAGES.postgres,
        args: ['-p', String(port)],
        env: [{ name: 'POSTGRES_DB', value: 'hypernode' }, { name: 'POSTGRES_USER', value: 'hypernode' }, secretEnv('POSTGRES_PASSWORD', 'db-password'), { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
        readinessProbe: { exec: { command: ['pg_isready', '-U', 'hypernode', '-d', 'hypernode', '-p', String(port)] }, periodSeconds: 2, timeoutSeconds: 2 },
        volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
      }
    : {
        name,
        image: DATA_IMAGES.redis,
        command: ['sh', '-c', `exec redis-server --port ${port} --appendonly yes --requirepass "$REDIS_PASSWORD"`],
        env: [secretEnv('REDIS_PASSWORD', 'redis-password'), secretEnv('REDISCLI_AUTH', 'redis-password')],
        readinessProbe: { exec: { command: ['sh', '-c', `redis-cli -p ${port} ping | grep -q PONG`] }, periodSeconds: 2, timeoutSeconds: 2 },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, labels: labelsOf(name, 'infra') },
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: selectorOf(name) },
      template: { metadata: { labels: labelsOf(name, 'infra') }, spec: { containers: [{ ...container, ports: [{ name: 'tcp', containerPort: port }], resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } } }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: postgres ? '5Gi' : '1Gi' } } } }],
    },
  };
}

/**
 * The optional overlay for a dev cluster: PostgreSQL and Redis as StatefulSets behind Services
 * named as in the registry (so `database-url` and `redis-url` point at `postgres` and `redis`),
 * reachable only from the apps that use them.
 */
export function inClusterData(model: ClusterModel): K8sObject[] {
  return (['postgres', 'redis'] as const).flatMap((name) => {
    const port = model.infra[name];
    const users = model.apps.filter((a) => infraTargets(a, model).some((t) => t.name === name));
    const svc: IService = { apiVersion: 'v1', kind: 'Service', metadata: { name, labels: labelsOf(name, 'infra') }, spec: { selector: selectorOf(name), ports: [{ name: 'tcp', port, targetPort: 'tcp' }] } };
    const policy: INetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, labels: labelsOf(name, 'infra') },
      spec: { podSelector: { matchLabels: selectorOf(name) }, policyTypes: ['Ingress'], ingress: [{ from: users.map((u) => ({ podSelector: { matchLabels: selectorOf(u.name) } })), ports: [{ protocol: 'TCP', port }] }] },
    };
    return [statefulSet(name, port), svc, policy];
  });
}
