import { App } from 'aws-cdk-lib';
import type { FleetproofConfig } from 'fleetproof';
import { awsSettingsFromConfig } from './aws-settings.js';
import { FleetproofStack } from './fleetproof-stack.js';

export const stackName = (config: FleetproofConfig) => `fleetproof-${config.service.name}`;

/** The region when none is given: $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1. */
export function defaultRegion(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/**
 * The CDK app for one project's config. The region must be concrete (ALB access logs are written by the
 * region's ELB account); the account stays unresolved unless given, so synth needs no AWS credentials.
 */
export function buildApp(
  config: FleetproofConfig,
  options: { outdir?: string; region?: string; account?: string } = {},
): { app: App; stack: FleetproofStack } {
  const app = new App({
    outdir: options.outdir,
    // Server access logs are granted by bucket policy, so the log bucket can keep ACLs disabled.
    context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true },
  });
  const stack = new FleetproofStack(app, stackName(config), {
    settings: awsSettingsFromConfig(config),
    env: { region: options.region ?? defaultRegion(), account: options.account },
    description: `fleetproof: ${config.service.name} behind an ALB, in an Auto Scaling Group, on RDS PostgreSQL`,
  });
  return { app, stack };
}
