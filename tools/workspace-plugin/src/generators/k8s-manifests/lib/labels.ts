/** A Kubernetes object as the generator writes it (plain data; validated by the k8s test). */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [field: string]: unknown };

/** The label that selects one app's pods (Service selectors, PDBs, NetworkPolicies). */
export const APP_LABEL = 'app.kubernetes.io/name';

/** What selects an app's pods. */
export function selectorOf(app: string): Record<string, string> {
  return { [APP_LABEL]: app };
}

/** Labels every object of one app carries. */
export function labelsOf(app: string, component: string): Record<string, string> {
  return { ...selectorOf(app), 'app.kubernetes.io/component': component, 'app.kubernetes.io/part-of': 'hypernode', 'app.kubernetes.io/managed-by': 'hypernode-sync' };
}

/** The image of an app: `kustomize edit set image hypernode/<app>=<registry>/<app>:<tag>` points it at a registry. */
export function imageOf(app: string): string {
  return `hypernode/${app}`;
}

/** The ConfigMap holding one app's environment. */
export function configMapName(app: string): string {
  return `${app}-env`;
}
