import { Template } from 'aws-cdk-lib/assertions';
import { type FleetproofConfigInput, validateConfig } from 'fleetproof';
import { buildApp } from '../src/app.js';

/** A config like the repository's, with every value distinct so a test can tell where each one went. */
export function testConfig(over: Partial<FleetproofConfigInput> = {}) {
  return validateConfig({
    service: {
      name: 'api',
      command: ['node', 'main.js'],
      port: 3123,
      version: 'V7',
      dockerfile: 'apps/api/Dockerfile',
      env: { LOG_LEVEL: 'warn' },
    },
    database: { mode: 'url', url: 'postgres://unused/db' },
    instance: { cpus: 2, memoryMiB: 1024, awsInstanceType: 't4g.small' },
    healthCheck: { path: '/health', matcher: '200-299', healthyThreshold: 4, unhealthyThreshold: 3 },
    balancer: { port: 8080, algorithm: 'round_robin', slowStartSeconds: 45 },
    scaling: { min: 1, max: 3, targetCpuPercent: 55 },
    rollout: {
      strategy: 'instance-refresh',
      minHealthyPercent: 90,
      maxHealthyPercent: 150,
      skipMatching: true,
    },
    timing: { profile: 'fast', aws: { healthCheckIntervalSeconds: 20, deregistrationDelaySeconds: 120 } },
    ...over,
  });
}

export function synth(over: Partial<FleetproofConfigInput> = {}) {
  const config = testConfig(over);
  const { app, stack } = buildApp(config, { region: 'eu-west-1' });
  return { app, stack, config, template: Template.fromStack(stack) };
}
