import { App, type Chart } from 'cdk8s';
import type { FleetproofConfig } from 'fleetproof';
import { stringify } from 'yaml';
import { k8sSettingsFromConfig } from './k8s-settings.js';
import { ServiceChart } from './service-chart.js';

/** One Kubernetes object as plain JSON (what `kubectl apply` reads). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: a manifest's body is the Kubernetes API's, checked by the schemas.
  [field: string]: any;
}

/** A chart's objects, resolved. */
export function chartManifests(chart: Chart): Manifest[] {
  return chart.toJson() as Manifest[];
}

/** The deployment built from the config: Deployment, Service, HPA, PDB, the migration Job, an Ingress if asked. */
export function serviceManifests(config: FleetproofConfig): Manifest[] {
  const app = new App();
  return chartManifests(new ServiceChart(app, config.service.name, k8sSettingsFromConfig(config)));
}

/** Multi-document YAML, one document per object, in the order given. */
export function toYaml(manifests: readonly Manifest[]): string {
  return manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n');
}

/** The objects grouped by kind, for one file per kind: Deployment → deployment.yaml. */
export function byKind(manifests: readonly Manifest[]): Map<string, Manifest[]> {
  const files = new Map<string, Manifest[]>();
  for (const m of manifests) {
    const file = `${m.kind.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.yaml`;
    files.set(file, [...(files.get(file) ?? []), m]);
  }
  return files;
}
