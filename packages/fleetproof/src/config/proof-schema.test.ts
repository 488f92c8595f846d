import { describe, expect, it } from 'vitest';
import { FleetError } from '../errors.js';
import { validateConfig } from './validate.js';

const service = { name: 'svc', command: ['node', 's.js'], port: 3000, version: 'v1' };
const scenarios = {
  browse: { config: { target: 'http://x', phases: [{ duration: 1, arrivalRate: 1 }] }, scenarios: [] },
};

function problems(input: unknown): string[] {
  try {
    validateConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return (error as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error('expected the config to be rejected');
}

describe('the proof section', () => {
  it('fills each experiment’s defaults, and keeps a variant only when configured', () => {
    const config = validateConfig({ service, scenarios, proof: { load: { scenario: 'browse' } } });
    expect(config.proof?.experiments.capacity).toMatchObject({
      ramp: { from: 1, to: 3000, seconds: 30 },
      holdSeconds: 10,
    });
    expect(config.proof?.experiments.deploy).toMatchObject({ rate: 10, seconds: 24, deployAfterSeconds: 5 });
    expect(config.proof?.experiments.crash).toMatchObject({ instances: 2 });
    expect(config.proof?.experiments.variant).toBeUndefined();
    expect(config.proof?.serviceLevel).toEqual({});
  });

  it('lists every problem at once, each with its key, the value and what was expected', () => {
    const found = problems({
      service,
      scenarios,
      proof: {
        load: { scenario: 'brwse' },
        serviceLevel: { maxErrorRate: 2 },
        write: { request: { url: '/a' }, id: 'id', readBack: { sql: 'SELECT 1' } },
        experiments: {
          deploy: { rate: 0, load: { scenario: 'browse', script: 'x.js' } },
          variant: { runs: [{ name: 'a', expect: { failedRequests: 'zero' } }] },
          chaos: {},
        },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'proof.serviceLevel.maxErrorRate: got 2, expected a fraction from 0 to 1',
        'proof.write.id: got "id", expected a JSONPath starting with $, e.g. "$.id"',
        'proof.experiments.deploy.rate: got 0, expected arrivals per second, more than 0',
        'proof.experiments.deploy.load: got {"scenario":"browse","script":"x.js"}, expected exactly one of { scenario: NAME } or { script: PATH }',
        'proof.experiments.variant.runs: got [{"name":"a","expect":{"failedRequests":"zero"}}], expected at least two runs to compare',
        'proof.experiments.variant.runs.0.expect.failedRequests: got "zero", expected a comparison such as "> 0", "== 0" or "< 50"',
        'proof.experiments.chaos: unknown key (typo?)',
      ]),
    );
  });

  it('checks names across sections: the load’s scenario exists, an SQL read-back has a database', () => {
    expect(problems({ service, scenarios, proof: { load: { scenario: 'brwse' } } })).toEqual([
      'proof.load.scenario: got "brwse", expected the name of a scenario in scenarios (browse)',
    ]);
    expect(
      problems({
        service,
        scenarios,
        proof: {
          load: { scenario: 'browse' },
          write: { request: { url: '/a' }, id: '$.id', readBack: { sql: 'SELECT 1' } },
        },
      }),
    ).toEqual([
      'proof.write.readBack.sql: got "SELECT 1", expected a database section (an SQL read-back needs the fleet\'s database), or readBack.request',
    ]);
  });
});
