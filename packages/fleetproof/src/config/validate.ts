import type { z } from 'zod';
import { FleetError } from '../errors.js';
import { configSchema, type FleetproofConfig } from './schema.js';
import { TIMING_PROFILES, type TimingProfile, type TimingProfileName } from './timing-profiles.js';

/** Validates a config object; on failure throws FLEET_ERR_CONFIG listing every problem, one per line. */
export function validateConfig(input: unknown, source = 'fleetproof.config.ts'): FleetproofConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => describeIssue(issue, input));
  throw new FleetError('FLEET_ERR_CONFIG', `${source} has ${lines.length} problem(s):\n${lines.join('\n')}`);
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const key = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const where = key === '(root)' ? '' : `${key}.`;
    return `  ${issue.keys.map((k) => `${where}${k}`).join(', ')}: unknown key (typo?)`;
  }
  const given = 'input' in issue ? issue.input : valueAt(input, issue.path);
  const shown = given === undefined ? 'missing' : `got ${JSON.stringify(given)}`;
  return `  ${key}: ${shown}, expected ${issue.message.replace(/^Invalid input: expected /, '')}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The durations in force: the chosen profile with the config's overrides for it. */
export function resolveTiming(config: FleetproofConfig, profile?: TimingProfileName): TimingProfile {
  const name = profile ?? config.timing.profile;
  return { ...TIMING_PROFILES[name], ...config.timing[name] };
}
