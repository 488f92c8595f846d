import { runOptionalPackage } from './optional-package-command.js';

export function k8sCommand(argv: string[]): Promise<number> {
  return runOptionalPackage({
    // A variable specifier: the CLI must not need cdk8s (or its types) unless this command runs.
    specifier: '@fleetproof/infra-k8s',
    exportName: 'k8sCommand',
    argv,
    missing:
      'fleetproof k8s needs @fleetproof/infra-k8s beside it (infra/k8s in this repository; in a project: npm install --save-dev @fleetproof/infra-k8s)',
    errors: {
      K8sNoContextError: 'FLEET_ERR_K8S_NO_CONTEXT',
      K8sConfigError: 'FLEET_ERR_K8S',
      K8sDeployError: 'FLEET_ERR_K8S',
    },
    fallback: 'FLEET_ERR_K8S',
  });
}
