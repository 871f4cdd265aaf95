import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IIngress, INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IService } from 'kubernetes-models/v1';

/**
 * A Kubernetes object as the generator writes it, typed by kubernetes-models (type-only: a
 * misspelt or misplaced field fails `tsc`; the k8s test validates the values against the schemas).
 */
export type K8sObject = IDeployment | IStatefulSet | IService | IConfigMap | IPodDisruptionBudget | IHorizontalPodAutoscaler | INetworkPolicy | IIngress;

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
