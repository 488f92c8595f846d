import { K8sConfigError } from './k8s-settings.js';
import type { Manifest } from './manifests.js';
import { type PolicyFinding, policyFindings } from './policy.js';
import { SCHEMA_KUBERNETES_VERSION, schemaErrors } from './schema-validation.js';

/**
 * Manifests that passed the Kubernetes schemas and the policy, with the policy's warnings; else every schema
 * error and policy error at once, so a user fixes them in one go.
 */
export function checked(manifests: Manifest[]): { manifests: Manifest[]; warnings: PolicyFinding[] } {
  const schema = schemaErrors(manifests);
  const findings = policyFindings(manifests);
  const errors = findings.filter((f) => f.severity === 'error');
  if (schema.length > 0 || errors.length > 0)
    throw new K8sConfigError(
      [
        ...schema.map((e) => `schema (Kubernetes ${SCHEMA_KUBERNETES_VERSION}): ${e}`),
        ...errors.map(describeFinding),
      ].join('\n'),
    );
  return { manifests, warnings: findings.filter((f) => f.severity === 'warning') };
}

export const describeFinding = (f: PolicyFinding) => `policy ${f.check}: ${f.object}: ${f.message}`;
