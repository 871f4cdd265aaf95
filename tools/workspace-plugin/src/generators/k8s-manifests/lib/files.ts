import { stringify } from 'yaml';
import { REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import { autoscalers } from './autoscaling';
import { NAMESPACES, OVERLAYS, secretKeys, SECRET_NAME, TLS_SECRET_NAME, type ClusterModel } from './cluster-model';
import { configMaps } from './config-maps';
import { DATA_SECRET_KEYS, inClusterData } from './in-cluster-data';
import { ingresses } from './ingress';
import type { K8sObject } from './labels';
import { appPolicy, defaultDeny } from './network-policies';
import { disruptionBudget, service, workload } from './workloads';

/** Folder of the generated kustomize tree. */
export const K8S_ROOT = 'deploy/k8s';
/** The optional overlay that adds PostgreSQL and Redis (on top of staging). */
export const DATA_OVERLAY = 'in-cluster-data';

const HEADER = `# Generated from ${REGISTRY_RELATIVE_PATH} by \`npx nx sync\` (workspace-plugin:k8s-manifests).\n# Do not edit by hand: change the registry, then run \`npx nx sync\`.\n`;

function documents(objects: K8sObject[], note = ''): string {
  return HEADER + note + objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

function kustomization(body: Record<string, unknown>, note: string): string {
  return HEADER + note + stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...body }, { lineWidth: 0 });
}

const secretNote = (keys: Record<string, string>) =>
  `# Needs the Secret "${SECRET_NAME}" (never in the repo) with the keys:\n${Object.entries(keys).map(([k, v]) => `#   ${k}: ${v}\n`).join('')}# and the TLS Secret "${TLS_SECRET_NAME}" for the Ingress hosts (cert-manager, or kubectl create secret tls).\n`;

/** Every file under deploy/k8s, path → content. */
export function k8sFiles(model: ClusterModel): Map<string, string> {
  const files = new Map<string, string>();
  const base = `${K8S_ROOT}/base`;
  for (const app of model.apps) {
    files.set(`${base}/${app.name}.yaml`, documents([workload(app), service(app), disruptionBudget(app)].filter((o) => o !== undefined)));
  }
  files.set(`${base}/network-policies.yaml`, documents([defaultDeny(), ...model.apps.map((a) => appPolicy(a, model))], '# Only the connections APP_NEEDS lists (tools/workspace-plugin/src/generators/deploy-artifacts/lib/model.ts).\n'));
  files.set(`${base}/kustomization.yaml`, kustomization({ resources: ['network-policies.yaml', ...model.apps.map((a) => `${a.name}.yaml`)] }, '# The apps, without environment, Ingress or autoscalers: apply an overlay (overlays/production, overlays/staging).\n'));
  for (const profile of OVERLAYS) {
    const dir = `${K8S_ROOT}/overlays/${profile}`;
    files.set(`${dir}/config.yaml`, documents(configMaps(model, profile), `# Each app's environment: \`HYPERNODE_NETWORK=kubernetes npx hypernode env <app>\` plus the ${profile} hosts.\n`));
    files.set(`${dir}/ingress.yaml`, documents(ingresses(model, profile)));
    files.set(`${dir}/autoscaling.yaml`, documents(autoscalers(model, profile), `# Replica ranges: the registry's scale.replicas.${profile}.\n`));
    files.set(`${dir}/kustomization.yaml`, kustomization({ namespace: NAMESPACES[profile], resources: ['../../base', 'config.yaml', 'ingress.yaml', 'autoscaling.yaml'] }, `# kubectl apply -k ${dir}\n${secretNote(secretKeys(model.infra))}`));
  }
  const data = `${K8S_ROOT}/overlays/${DATA_OVERLAY}`;
  files.set(`${data}/data.yaml`, documents(inClusterData(model)));
  files.set(`${data}/kustomization.yaml`, kustomization({ namespace: NAMESPACES.staging, resources: ['../staging', 'data.yaml'] }, `# A dev cluster: staging plus PostgreSQL and Redis as StatefulSets (kubectl apply -k ${data}).\n${secretNote({ ...secretKeys(model.infra), ...DATA_SECRET_KEYS })}`));
  return files;
}
