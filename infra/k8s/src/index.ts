export { checked, describeFinding } from './checked-manifests.js';
export { K8sUsageError, k8sCommand, k8sUsage } from './cli/k8s-command.js';
export { databaseSecret, K8sDeployError, K8sNoContextError, k8sDeploy } from './deploy.js';
export { K8sConfigError, type K8sSettings, k8sSettingsFromConfig } from './k8s-settings.js';
export { currentContext, type Kubectl, type KubectlResult, systemKubectl } from './kubectl.js';
export {
  type LoadJobOptions,
  loadJobManifests,
  OUT_PREFIX,
  segmentCommand,
  segmentLines,
} from './load-job.js';
export { podsByIndex, runLoadJob } from './load-run.js';
export { byKind, type Manifest, serviceManifests, toYaml } from './manifests.js';
export { type PolicyFinding, policyFindings } from './policy.js';
export { SCHEMA_KUBERNETES_VERSION, schemaErrors } from './schema-validation.js';
export { albAnnotations, migrationJobName, SERVICE_PORT, ServiceChart } from './service-chart.js';
