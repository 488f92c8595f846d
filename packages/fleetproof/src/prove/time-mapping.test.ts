import { describe, expect, it } from 'vitest';
import { TIMING_PROFILES } from '../config/timing-profiles.js';
import { validateConfig } from '../config/validate.js';
import { formatSeconds, mapToAws, scaleInTerms, scaleOutTerms, unhealthyTerms } from './time-mapping.js';

const config = validateConfig({
  service: { name: 'api', command: ['node', 'x.js'], port: 3000, version: 'V1' },
  database: { mode: 'url', url: 'postgres://x' },
  healthCheck: { path: '/health', unhealthyThreshold: 2 },
});
const { fast, aws } = TIMING_PROFILES;

describe('time mapping (fast profile → AWS defaults)', () => {
  it.each([
    // label, measured ms, terms, expected AWS ms
    ['scale-out 9 s', 9000, scaleOutTerms(config), 3 * 60_000 + 30_000 + 2000],
    [
      'scale-out faster than its terms keeps no negative rest',
      5000,
      scaleOutTerms(config),
      3 * 60_000 + 30_000,
    ],
    ['scale-in 33 s', 33_000, scaleInTerms(config), 15 * 60_000 + 3000],
    ['unhealthy after 2.4 s', 2400, unhealthyTerms(config), 2 * 30_000 + 400],
  ])('%s', (label, measured, terms, expected) => {
    const mapped = mapToAws(label, measured, terms, fast, aws);
    expect(mapped.measuredMs).toBe(measured);
    expect(mapped.awsMs).toBeCloseTo(expected, 6);
  });

  it('explains each term with both profiles’ values', () => {
    const mapped = mapToAws('scale-out', 9000, scaleOutTerms(config), fast, aws);
    expect(mapped.explanation).toBe(
      '3 datapoints over target × metric period: 6 s here, 3 min on AWS; first health check of the new target: 1 s here, 30 s on AWS; the rest (process start, draining, scheduling): 2 s as measured',
    );
  });

  it.each([
    [0.5, '0.5 s'],
    [12.34, '12 s'],
    [210, '3.5 min'],
    [5400, '1.5 h'],
  ])('formats %s s as %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});
