import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synth } from './synth-helpers.js';

describe('the synthesized template carries the config', () => {
  const { template } = synth();

  it('target group: health check, matcher, thresholds, deregistration delay, algorithm, slow start', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3123,
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 20, // timing.aws override
      HealthCheckTimeoutSeconds: 5, // aws profile default
      HealthyThresholdCount: 4,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-299' },
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '120' },
        { Key: 'slow_start.duration_seconds', Value: '45' },
        { Key: 'load_balancing.algorithm.type', Value: 'round_robin' },
      ]),
    });
  });

  it('load balancer: internet-facing, drops invalid header fields, idle timeout, HTTP listener without a certificate', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'idle_timeout.timeout_seconds', Value: '60' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
  });

  it('with a certificate: HTTPS on 443 and HTTP redirecting to it', () => {
    const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f';
    const { template: https } = synth({ aws: { certificateArn: arn } });
    https.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: arn }],
    });
    https.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        Match.objectLike({
          Type: 'redirect',
          RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }),
        }),
      ],
    });
  });

  it('auto scaling group: min/max, ELB health checks with the grace period, warmup, termination order', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '3',
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
      DefaultInstanceWarmup: 300,
      TerminationPolicies: ['OldestLaunchTemplate', 'OldestInstance'],
    });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
        TargetValue: 55,
      }),
    });
  });

  it('the update policy is an instance refresh with the rollout percentages', () => {
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      UpdatePolicy: {
        AutoScalingInstanceRefresh: Match.objectLike({
          Strategy: 'Rolling',
          Preferences: Match.objectLike({
            MinHealthyPercentage: 90,
            MaxHealthyPercentage: 150,
            InstanceWarmup: 300,
            SkipMatching: true,
          }),
        }),
      },
    });
  });

  it('launch template: Graviton type on arm64 Amazon Linux 2023, IMDSv2 required, encrypted gp3', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 't4g.small',
        ImageId: { Ref: Match.stringLikeRegexp('al2023.*arm64') },
        MetadataOptions: Match.objectLike({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 }),
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, VolumeType: 'gp3' }) },
        ],
        Monitoring: { Enabled: true },
      }),
    });
    const parameters = JSON.stringify(template.toJSON().Parameters);
    expect(parameters).toMatch(/al2023-ami-kernel-[\d.]+-arm64/);
  });

  it('user data: docker, ECR login, the image tag from SSM, migrations at start, graceful stop', () => {
    const lt = Object.values(template.findResources('AWS::EC2::LaunchTemplate'))[0] as {
      Properties: { LaunchTemplateData: { UserData: unknown } };
    };
    const script = JSON.stringify(lt.Properties.LaunchTemplateData.UserData);
    for (const part of [
      'dnf install -y docker',
      'docker login --username AWS',
      'ssm get-parameter',
      'migrate.js',
      'docker stop --time 30 app',
      'PORT=3123',
      'LOG_LEVEL=warn',
      'sslmode=verify-full',
    ])
      expect(script).toContain(part);
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/fleetproof/api/image-tag', Value: 'V7' });
  });

  it('RDS: PostgreSQL in isolated subnets, not public, encrypted, generated secret with rotation', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      PubliclyAccessible: false,
      StorageEncrypted: true,
      MultiAZ: false,
      DeletionProtection: true,
    });
    const subnetGroup = Object.values(template.findResources('AWS::RDS::DBSubnetGroup'))[0] as {
      Properties: { SubnetIds: { Ref: string }[] };
    };
    for (const { Ref } of subnetGroup.Properties.SubnetIds) expect(Ref).toMatch(/data/i);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"fleetproof"}' }),
    });
  });

  it('ECR: scan on push, immutable tags, a lifecycle rule', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'fleetproof/api',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
      LifecyclePolicy: Match.objectLike({ LifecyclePolicyText: Match.stringLikeRegexp('"countNumber":20') }),
    });
  });

  it('alarms (5xx, unhealthy hosts, p99, CPU, capacity) and a dashboard', () => {
    const metrics = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a as { Properties: { MetricName?: string; ExtendedStatistic?: string } }).Properties,
    );
    expect(metrics.map((m) => m.MetricName).sort()).toEqual(
      [
        'CPUUtilization',
        'GroupInServiceInstances',
        'HTTPCode_ELB_5XX_Count',
        'HTTPCode_Target_5XX_Count',
        'TargetResponseTime',
        'UnHealthyHostCount',
      ].sort(),
    );
    expect(metrics.find((m) => m.MetricName === 'TargetResponseTime')?.ExtendedStatistic).toBe('p99');
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('security groups', () => {
  const { template } = synth();
  const groups = template.findResources('AWS::EC2::SecurityGroup');
  const idOf = (description: string) =>
    Object.entries(groups).find(([, g]) =>
      (g as { Properties: { GroupDescription: string } }).Properties.GroupDescription.startsWith(description),
    )?.[0] ?? '';
  const alb = idOf('ALB');
  const instances = idOf('Instances');
  const database = idOf('PostgreSQL');
  const ingress = [
    ...Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    ),
    ...Object.entries(groups).flatMap(([id, g]) =>
      (
        ((g as { Properties: { SecurityGroupIngress?: Record<string, unknown>[] } }).Properties
          .SecurityGroupIngress ?? []) as Record<string, unknown>[]
      ).map((rule) => ({ ...rule, GroupId: { 'Fn::GetAtt': [id, 'GroupId'] } })),
    ),
  ];
  const into = (id: string) => ingress.filter((r) => JSON.stringify(r.GroupId).includes(id));

  it('the three groups exist', () => {
    expect([alb, instances, database].every(Boolean)).toBe(true);
  });

  it('only the ALB admits 0.0.0.0/0, and only on its listener ports', () => {
    const open = ingress.filter((r) => r.CidrIp === '0.0.0.0/0' || r.CidrIpv6 === '::/0');
    expect(open.map((r) => JSON.stringify(r.GroupId).includes(alb))).toEqual(open.map(() => true));
    expect(open.map((r) => r.FromPort)).toEqual([80]);
  });

  it('instances admit only the ALB, only on the app port', () => {
    expect(
      into(instances).map((r) => [
        JSON.stringify(r.SourceSecurityGroupId).includes(alb),
        r.FromPort,
        r.ToPort,
      ]),
    ).toEqual([[true, 3123, 3123]]);
  });

  it('the database admits only the instances and its rotation function, only on its port (5432)', () => {
    // The secret's rotation function must log in to rotate the password: the one other client.
    const rotation = idOf('fleetproof-api/Database/Instance/RotationSingleUser');
    const rules = into(database);
    expect(
      rules.map(
        (r) =>
          JSON.stringify(r.SourceSecurityGroupId).includes(instances) ||
          JSON.stringify(r.SourceSecurityGroupId).includes(rotation),
      ),
    ).toEqual([true, true]);
    expect(rules.filter((r) => JSON.stringify(r.SourceSecurityGroupId).includes(instances))).toHaveLength(1);
    for (const r of rules)
      expect(r.FromPort).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^DatabaseInstance/), 'Endpoint.Port'],
      });
    template.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'postgres', Port: Match.absent() });
  });
});

describe('CodeDeploy option', () => {
  const { template } = synth({
    rollout: { strategy: 'codedeploy', codedeployConfig: 'HalfAtATime', autoRollback: true },
  });

  it('a deployment group on the ASG and target group, with the config, alarms and auto rollback', () => {
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.HalfAtATime',
      AutoScalingGroups: [Match.anyValue()],
      LoadBalancerInfo: { TargetGroupInfoList: [Match.anyValue()] },
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: Match.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      },
      AlarmConfiguration: Match.objectLike({ Enabled: true, Alarms: Match.anyValue() }),
    });
  });

  it('no instance-refresh update policy (CodeDeploy replaces the application in place)', () => {
    const group = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0] as {
      UpdatePolicy?: object;
    };
    expect(group.UpdatePolicy ?? {}).not.toHaveProperty('AutoScalingInstanceRefresh');
  });

  it('user data installs the CodeDeploy agent', () => {
    expect(JSON.stringify(template.findResources('AWS::EC2::LaunchTemplate'))).toContain('./install auto');
  });
});
