import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import type { Manifest } from './manifests.js';

/**
 * The Kubernetes release whose OpenAPI schemas the manifests are validated against: kubernetes-models 4.5.x
 * is generated from v1.33.0 (its changelog: "Update schema version to v1.33.0"). The manifests use only APIs
 * that are stable in 1.32 as well (apps/v1, autoscaling/v2, policy/v1, batch/v1, networking.k8s.io/v1).
 */
export const SCHEMA_KUBERNETES_VERSION = '1.33.0';

interface Validatable {
  validate(): void;
}
type Model = new (data: never) => Validatable;

const MODELS: Record<string, Model> = {
  'apps/v1/Deployment': Deployment as unknown as Model,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as Model,
  'batch/v1/Job': Job as unknown as Model,
  'networking.k8s.io/v1/Ingress': Ingress as unknown as Model,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as Model,
  'v1/ConfigMap': ConfigMap as unknown as Model,
  'v1/Secret': Secret as unknown as Model,
  'v1/Service': Service as unknown as Model,
};

/** Each object's schema errors ("Deployment api: data/spec/replicas must be integer"); empty when all are valid. */
export function schemaErrors(manifests: readonly Manifest[]): string[] {
  const errors: string[] = [];
  for (const m of manifests) {
    const id = `${m.kind} ${m.metadata?.name ?? '(no name)'}`;
    const model = MODELS[`${m.apiVersion}/${m.kind}`];
    if (!model) {
      errors.push(`${id}: ${m.apiVersion} ${m.kind} is not a kind fleetproof validates`);
      continue;
    }
    try {
      new model(m as never).validate();
    } catch (error) {
      errors.push(`${id}: ${(error as Error).message}`);
    }
  }
  return errors;
}
