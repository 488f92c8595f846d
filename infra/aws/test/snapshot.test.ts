import { describe, expect, it } from 'vitest';
import { synth } from './synth-helpers.js';

/** Asset hashes and the CDK version change with unrelated upgrades; the design should not. */
function normalise(template: unknown): unknown {
  return JSON.parse(
    JSON.stringify(template)
      .replace(/[0-9a-f]{64}/g, '<asset-hash>')
      .replace(/"aws-cdk-lib\/[^"]*"/g, '"aws-cdk-lib/<version>"'),
  );
}

describe('template snapshot', () => {
  it('matches the reviewed template (update with vitest -u when the design changes)', async () => {
    const { template } = synth();
    await expect(JSON.stringify(normalise(template.toJSON()), null, 2)).toMatchFileSnapshot(
      '__snapshots__/fleetproof-api.template.json',
    );
  });
});
