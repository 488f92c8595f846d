import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synth } from './synth-helpers.js';

/** Every AwsSolutions acknowledgment in the tree (metadata: { "<prefix>::<rule id>": reason }), with its construct. */
function acknowledgments(root: IConstruct) {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => id.includes('AwsSolutions-'))
      .map(([id, reason]) => ({ path: c.node.path, id, reason })),
  );
}

describe.each([
  ['instance refresh, HTTP', {}],
  [
    'CodeDeploy, HTTPS',
    {
      rollout: { strategy: 'codedeploy' as const },
      aws: { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f' },
    },
  ],
])('cdk-nag AwsSolutions (%s)', (_, over) => {
  const { app } = synth(over);
  const report = new AwsSolutionsChecks(app).validateScope(app);

  it('reports no unacknowledged finding', () => {
    const findings = report.violations.map(
      (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives every acknowledgment a reason', () => {
    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(typeof ack.reason, ack.path).toBe('string');
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(30);
    }
  });
});

describe('cdk-nag catches what is not acknowledged', () => {
  it('an open security group on a stack without acknowledgments is a finding', async () => {
    const { App, Stack } = await import('aws-cdk-lib');
    const ec2 = await import('aws-cdk-lib/aws-ec2');
    const app = new App();
    const stack = new Stack(app, 'Open', { env: { region: 'eu-west-1' } });
    const group = new ec2.SecurityGroup(stack, 'Open', {
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a'] }),
    });
    group.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-EC23');
  });
});
