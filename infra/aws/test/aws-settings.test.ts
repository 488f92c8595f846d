import { TIMING_PROFILES } from 'fleetproof';
import { describe, expect, it } from 'vitest';
import { awsSettingsFromConfig, isGraviton } from '../src/aws-settings.js';
import { testConfig } from './synth-helpers.js';

describe('AWS settings from fleetproof.config.ts', () => {
  it.each([
    ['t4g.small', true],
    ['t4g.nano', true],
    ['c6gn.large', true],
    ['m7gd.xlarge', true],
    ['t3.small', false],
    ['m5.large', false],
    ['g5.xlarge', false],
  ])('%s is Graviton: %s', (type, graviton) => {
    expect(isGraviton(type)).toBe(graviton);
  });

  it('durations come from the aws profile (with the config’s overrides), not the local one', () => {
    const s = awsSettingsFromConfig(testConfig());
    expect(s.healthCheckIntervalSeconds).toBe(20); // timing.aws override
    expect(s.deregistrationDelaySeconds).toBe(120); // timing.aws override
    expect(s.healthCheckTimeoutSeconds).toBe(TIMING_PROFILES.aws.healthCheckTimeoutSeconds);
    expect(s.healthCheckGracePeriodSeconds).toBe(TIMING_PROFILES.aws.healthCheckGracePeriodSeconds);
    expect(s.instanceWarmupSeconds).toBe(TIMING_PROFILES.aws.instanceWarmupSeconds);
  });
});
