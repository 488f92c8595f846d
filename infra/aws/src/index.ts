export { buildApp, defaultRegion, stackName } from './app.js';
export { awsSettingsFromConfig, type FleetproofAwsSettings, isGraviton } from './aws-settings.js';
export { awsCommand, awsUsage } from './cli/aws-command.js';
export { AwsDeployError, AwsUsageError } from './deploy/aws-context.js';
export { FleetproofStack, type FleetproofStackProps, OUTPUTS } from './fleetproof-stack.js';
