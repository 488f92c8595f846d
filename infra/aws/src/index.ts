export { buildApp, defaultRegion, stackName } from './app.js';
export { awsSettingsFromConfig, type FleetproofAwsSettings, isGraviton } from './aws-settings.js';
export { FleetproofStack, type FleetproofStackProps, OUTPUTS } from './fleetproof-stack.js';
