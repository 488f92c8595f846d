import { runOptionalPackage } from './optional-package-command.js';

export function awsCommand(argv: string[]): Promise<number> {
  return runOptionalPackage({
    // A variable specifier: the CLI must not need aws-cdk-lib (or its types) unless this command runs.
    specifier: '@fleetproof/infra-aws',
    exportName: 'awsCommand',
    argv,
    missing: 'fleetproof aws needs the @fleetproof/infra-aws workspace (infra/aws), built: npm install',
    errors: { AwsDeployError: 'FLEET_ERR_AWS' },
    fallback: 'FLEET_ERR_AWS',
  });
}
