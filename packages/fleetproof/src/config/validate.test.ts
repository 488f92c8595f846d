import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetError } from '../errors.js';
import { TIMING_PROFILES } from './timing-profiles.js';
import { resolveTiming, validateConfig } from './validate.js';

const minimal = { service: { name: 'api', command: ['node', 'main.js'], port: 3000, version: 'V1' } };

function problems(input: unknown): string[] {
  try {
    validateConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe('FLEET_ERR_CONFIG');
    return (error as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error('expected the config to be rejected');
}

describe('validateConfig', () => {
  it('fills every default from a minimal config', () => {
    const config = validateConfig(minimal);
    expect(config.scaling).toMatchObject({
      min: 1,
      max: 2,
      targetCpuPercent: 50,
      scaleOutDatapoints: 3,
      scaleInDatapoints: 15,
    });
    expect(config.healthCheck).toEqual({
      path: '/',
      matcher: '200',
      healthyThreshold: 5,
      unhealthyThreshold: 2,
    });
    expect(config.balancer).toMatchObject({
      port: 8080,
      algorithm: 'round_robin',
      retryIdempotentOnce: false,
    });
    expect(config.rollout).toMatchObject({ minHealthyPercent: 100, maxHealthyPercent: 200 });
    expect(config.timing.profile).toBe('fast');
  });

  it('lists every problem at once, each with key, value and expectation', () => {
    const found = problems({
      service: { name: 'API!', command: [], port: 70000, version: 'V1' },
      healthCheck: { matcher: '600', healthyThreshold: 1 },
      scaling: { min: 3, max: 2 },
      rollout: { minHealthyPercent: 50, maxHealthyPercent: 200 },
      balancer: { algorithm: 'weighted_random' },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'service.name: got "API!", expected lowercase letters, digits and dashes, starting with a letter',
        'service.command: got [], expected a command as an array, e.g. ["node", "dist/main.js"]',
        'service.port: got 70000, expected a whole number from 1 to 65535',
        'healthCheck.matcher: got "600", expected HTTP codes 200-499 as "200", "200,202" or "200-299"',
        'healthCheck.healthyThreshold: got 1, expected a whole number from 2 to 10',
        expect.stringMatching(
          /^balancer\.algorithm: got "weighted_random", expected one of "round_robin"\|"least_outstanding_requests"|^balancer\.algorithm: got "weighted_random", expected/,
        ),
      ]),
    );
    expect(found.length).toBeGreaterThanOrEqual(6);
  });

  it('applies cross-field rules: min ≤ max, Max − Min healthy ≤ 100, timeout below interval', () => {
    expect(problems({ ...minimal, scaling: { min: 3, max: 2 } })).toEqual([
      'scaling.min: got 3, expected at most scaling.max (2)',
    ]);
    expect(problems({ ...minimal, rollout: { minHealthyPercent: 50, maxHealthyPercent: 200 } })).toEqual([
      'rollout.maxHealthyPercent: got 200, expected at most minHealthyPercent + 100 (150), as AWS requires',
    ]);
    expect(problems({ ...minimal, rollout: { minHealthyPercent: 100, maxHealthyPercent: 100 } })).toEqual([
      'rollout.maxHealthyPercent: got 100, expected more than 100 when minHealthyPercent is 100, or no instance could ever be replaced',
    ]);
    expect(problems({ ...minimal, timing: { fast: { healthCheckTimeoutSeconds: 2 } } })).toEqual([
      'timing.fast.healthCheckTimeoutSeconds: got 2, expected less than the health check interval (1 s)',
    ]);
  });

  it('names unknown keys (typos) instead of ignoring them', () => {
    expect(problems({ ...minimal, scalling: {} })).toEqual(['scalling: unknown key (typo?)']);
    expect(problems({ ...minimal, healthCheck: { intervalSeconds: 5 } })).toEqual([
      'healthCheck.intervalSeconds: unknown key (typo?)',
    ]);
  });

  it('resolves timing from the profile with the config overrides for that profile', () => {
    const config = validateConfig({
      ...minimal,
      timing: { profile: 'aws', aws: { deregistrationDelaySeconds: 30 } },
    });
    expect(resolveTiming(config)).toEqual({ ...TIMING_PROFILES.aws, deregistrationDelaySeconds: 30 });
    expect(resolveTiming(config, 'fast')).toEqual(TIMING_PROFILES.fast);
  });

  it('the package README timing table shows exactly the values in TIMING_PROFILES', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const rows = new Map(
      [...readme.matchAll(/^\| `(\w+)` \| ([\d.]+) \| ([\d.]+) \|/gm)].map((m) => [
        m[1],
        [Number(m[2]), Number(m[3])],
      ]),
    );
    const expected = new Map(
      Object.keys(TIMING_PROFILES.aws).map((key) => [
        key,
        [
          TIMING_PROFILES.aws[key as keyof typeof TIMING_PROFILES.aws],
          TIMING_PROFILES.fast[key as keyof typeof TIMING_PROFILES.fast],
        ],
      ]),
    );
    expect(rows).toEqual(expected);
  });

  it('the repository config is valid', async () => {
    const { loadConfig } = await import('./load-config.js');
    const config = await loadConfig(join(import.meta.dirname, '..', '..', '..', '..'));
    expect(config.service.name).toBe('api');
    expect(config.instance.cpus).toBe(2);
  });
});
