import type { ClusterProfile } from '@hypernode/ports';
import type { ClusterModel } from './cluster-model';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { labelsOf } from './labels';

/** Average CPU use (of the request) the autoscaler keeps each scalable app at. */
export const TARGET_CPU_PERCENT = 70;

/** A HorizontalPodAutoscaler per scalable app, on the registry's replica range for the profile. */
export function autoscalers(model: ClusterModel, profile: ClusterProfile): IHorizontalPodAutoscaler[] {
  return model.apps
    .filter((a) => a.scale.canScale)
    .map((app): IHorizontalPodAutoscaler => {
      const [minReplicas, maxReplicas] = app.scale.replicas[profile];
      return {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: app.name, labels: labelsOf(app.name, app.kind) },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: app.stateful ? 'StatefulSet' : 'Deployment', name: app.name },
          minReplicas,
          maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: TARGET_CPU_PERCENT } } }],
        },
      };
    });
}
