import { type ChildProcess, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  SetDesiredCapacityCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DeregisterTargetsCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../src/util/free-port.js';
import { waitForExit } from '../src/util/process-alive.js';
import { cli, up } from './cli-harness.js';
import { userProject } from './fixtures/user-project.js';
import { steadyLoad, until } from './fleet-harness.js';

// The AWS SDK for JavaScript v3, a client nobody here wrote, against `fleetproof up`'s endpoint, driving a
// Python service's fleet: what a user's deploy script does against AWS.
let child: ChildProcess;
let output: () => string;
let listener = '';
let projectDir = '';
let endpoint = '';
const client = <T>(Client: new (c: object) => T) =>
  new Client({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });

beforeAll(async () => {
  const dir = userProject('hello-python');
  projectDir = dir;
  const port = await findFreePort();
  listener = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'fleetproof.config.ts'),
    `export default {
  service: { name: 'hello', command: ['python3', 'server.py'], port: 4300, version: 'V1', env: { HEALTH_ROUTE: '/health' } },
  instance: { cpus: 0.5, memoryMiB: 256 },
  healthCheck: { path: '/health', healthyThreshold: 2, unhealthyThreshold: 2 },
  balancer: { port: ${port} },
  scaling: { min: 1, max: 3, enabled: false },
  aws: { region: 'eu-west-1' },
  timing: { profile: 'fast', fast: { healthCheckGracePeriodSeconds: 2, deregistrationDelaySeconds: 1 } },
};\n`,
  );
  ({ child, output } = up(dir));
  await until(() => /ready: /.test(output()), 60_000, `up ready:\n${output()}`);
  endpoint = /aws\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1] ?? '';
  expect(endpoint, output()).not.toBe('');
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
  await waitForExit(child?.pid ?? 0, 30_000);
});

describe('fleetproof up’s AWS endpoint, driven by the AWS SDK v3', () => {
  it('refuses an unsigned request with AWS’s error XML', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeAutoScalingGroups&Version=2011-01-01',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('describes the group and its target group as AWS shapes them', async () => {
    const asg = client(AutoScalingClient);
    const { AutoScalingGroups } = await asg.send(new DescribeAutoScalingGroupsCommand({}));
    const group = AutoScalingGroups?.[0];
    expect(group).toMatchObject({
      AutoScalingGroupName: 'fleetproof-hello',
      MinSize: 1,
      MaxSize: 3,
      DesiredCapacity: 1,
      HealthCheckType: 'ELB',
      AvailabilityZones: ['eu-west-1a', 'eu-west-1b'],
    });
    expect(group?.AutoScalingGroupARN).toMatch(
      /^arn:aws:autoscaling:eu-west-1:000000000000:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/fleetproof-hello$/,
    );
    expect(group?.Instances?.map((i) => [i.LifecycleState, i.HealthStatus])).toEqual([
      ['InService', 'Healthy'],
    ]);
    const elb = client(ElasticLoadBalancingV2Client);
    const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({}));
    expect(TargetGroups?.[0]).toMatchObject({
      HealthCheckPath: '/health',
      HealthyThresholdCount: 2,
      Port: 4300,
    });
    expect(group?.TargetGroupARNs).toEqual([TargetGroups?.[0]?.TargetGroupArn]);
  });

  it('a capacity above max gets AWS’s ValidationError; within it, the group scales and the targets turn healthy', async () => {
    const asg = client(AutoScalingClient);
    await expect(
      asg.send(
        new SetDesiredCapacityCommand({ AutoScalingGroupName: 'fleetproof-hello', DesiredCapacity: 5 }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'New SetDesiredCapacity value 5 is above max value 3 for the AutoScalingGroup.',
    });
    await asg.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: 'fleetproof-hello', DesiredCapacity: 2 }),
    );
    const elb = client(ElasticLoadBalancingV2Client);
    const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({}));
    const arn = TargetGroups?.[0]?.TargetGroupArn as string;
    let states: string[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { TargetHealthDescriptions } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
      );
      states = (TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State ?? '');
      if (states.length === 2 && states.every((s) => s === 'healthy')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(states).toEqual(['healthy', 'healthy']);
  });

  it('an instance refresh started through the API rolls the fleet under load with no failed request', async () => {
    const asg = client(AutoScalingClient);
    const load = steadyLoad(listener, 4, 60_000);
    const { InstanceRefreshId } = await asg.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: 'fleetproof-hello',
        Preferences: { MinHealthyPercentage: 100, MaxHealthyPercentage: 200, SkipMatching: false },
      }),
    );
    expect(InstanceRefreshId).toMatch(/^ir-/);
    const seen: string[] = [];
    const deadline = Date.now() + 45_000;
    let status = '';
    while (Date.now() < deadline && status !== 'Successful') {
      const { InstanceRefreshes } = await asg.send(
        new DescribeInstanceRefreshesCommand({
          AutoScalingGroupName: 'fleetproof-hello',
          InstanceRefreshIds: [InstanceRefreshId as string],
        }),
      );
      const r = InstanceRefreshes?.[0];
      status = r?.Status ?? '';
      seen.push(`${status} ${r?.PercentageComplete}%`);
      await new Promise((res) => setTimeout(res, 200));
    }
    const samples = await load.stop();
    expect(status, seen.join(', ')).toBe('Successful');
    expect(seen).toContain('InProgress 0%');
    expect(seen.at(-1)).toBe('Successful 100%');
    expect(samples.length).toBeGreaterThan(50);
    expect(samples.filter((s) => s.status !== 200)).toEqual([]);
  });

  it('changes the running policy and the target group’s drain; lists what the group did', async () => {
    const asg = client(AutoScalingClient);
    await asg.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'fleetproof-hello',
        PolicyName: 'cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
          TargetValue: 70,
        },
      }),
    );
    const { ScalingPolicies } = await asg.send(
      new DescribePoliciesCommand({ AutoScalingGroupName: 'fleetproof-hello' }),
    );
    expect(ScalingPolicies?.[0]?.TargetTrackingConfiguration?.TargetValue).toBe(70);
    const elb = client(ElasticLoadBalancingV2Client);
    const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({}));
    const arn = TargetGroups?.[0]?.TargetGroupArn as string;
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '3' }],
      }),
    );
    const { Attributes } = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
    expect(Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '3' });
    await expect(
      elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: arn,
          Attributes: [{ Key: 'stickiness.enabled', Value: 'true' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    const { Activities } = await asg.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'fleetproof-hello' }),
    );
    expect(Activities?.some((a) => /ManualScale/.test(a.Description ?? ''))).toBe(true);
    expect(Activities?.some((a) => /RefreshSuccessful/.test(a.Description ?? ''))).toBe(true);
  });

  it('a target deregistered through the API drains and leaves; registered again, it turns healthy', async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const arn = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.[0]
      ?.TargetGroupArn as string;
    const state = async (id: string) =>
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: id }] })))
        .TargetHealthDescriptions?.[0]?.TargetHealth;
    const { TargetHealthDescriptions } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
    );
    const id = TargetHealthDescriptions?.[0]?.Target?.Id as string;
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: id }] }));
    // With no request in flight the drain ends at once, as ELB completes it without waiting out the delay.
    expect(['draining', 'unused']).toContain((await state(id))?.State);
    const deadline = Date.now() + 15_000;
    let health = await state(id);
    while (health?.State !== 'unused' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      health = await state(id);
    }
    expect(health).toMatchObject({ State: 'unused', Reason: 'Target.NotRegistered' });
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: id }] }));
    while ((await state(id))?.State !== 'healthy' && Date.now() < deadline + 15_000)
      await new Promise((r) => setTimeout(r, 200));
    expect((await state(id))?.State).toBe('healthy');
    await expect(
      elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: 'i-0000000000000000' }] })),
    ).rejects.toMatchObject({ name: 'InvalidTargetException' });
  });

  it('CloudWatch (AWS JSON 1.0, as the SDK v3 speaks it): the load’s requests and the group’s CPU, per period', async () => {
    const cw = client(CloudWatchClient);
    const elb = client(ElasticLoadBalancingV2Client);
    const { LoadBalancers } = await elb.send(new DescribeLoadBalancersCommand({}));
    const lb = (LoadBalancers?.[0]?.LoadBalancerArn ?? '').split(':loadbalancer/')[1] as string;
    const end = new Date(Date.now() + 1000);
    const start = new Date(Date.now() - 120_000);
    const { MetricDataResults } = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          {
            Id: 'requests',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'RequestCount',
                Dimensions: [{ Name: 'LoadBalancer', Value: lb }],
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    const requests = (MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
    // The refresh test's load and the health checks' traffic aside: at least the load's responses.
    expect(requests).toBeGreaterThan(50);
    expect(MetricDataResults?.[0]?.Timestamps?.[0]).toBeInstanceOf(Date);
    const { Datapoints } = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/EC2',
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'fleetproof-hello' }],
        StartTime: start,
        EndTime: end,
        Period: 1,
        Statistics: ['Average', 'Maximum'],
      }),
    );
    expect(Datapoints?.length).toBeGreaterThan(0);
    for (const d of Datapoints ?? []) expect(d.Maximum as number).toBeGreaterThanOrEqual(d.Average as number);
    await expect(
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/EC2',
          MetricName: 'CPUUtilization',
          StartTime: start,
          EndTime: end,
          Period: 60,
          ExtendedStatistics: ['p99'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });

  it('a hung instance turns unhealthy in DescribeTargetHealth with its Target.* reason', async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({}));
    const arn = TargetGroups?.[0]?.TargetGroupArn as string;
    const { TargetHealthDescriptions: now } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
    );
    const victim = now?.find((d) => d.TargetHealth?.State === 'healthy')?.Target?.Id as string;

    // The fault command waits for its own verdict (the instance replaced): the API is read meanwhile.
    const hung = cli(projectDir, 'fault', 'hang', '--instance', victim);
    // The group replaces an unhealthy instance on its next reconcile (0.25 s on the fast profile): the API is
    // read back to back so that the short unhealthy window is seen.
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !seen.has('unhealthy Target.Timeout')) {
      const { TargetHealthDescriptions } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: victim }] }),
      );
      const h = TargetHealthDescriptions?.[0]?.TargetHealth;
      seen.add(`${h?.State} ${h?.Reason}`);
    }
    expect([...seen], `${victim}: ${(await hung).out}`).toContain('unhealthy Target.Timeout');
    const verdict = await hung;
    expect(verdict.code, verdict.out).toBe(0);
  });
});

/** The AWS CLI v2 (Debian's awscli), found on PATH or at /usr/bin/aws; undefined when this machine has none. */
function awsCliV2(): string | undefined {
  for (const candidate of ['/usr/bin/aws', 'aws']) {
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (r.status === 0 && /^aws-cli\/2\./.test(`${r.stdout}${r.stderr}`)) return candidate;
  }
  return undefined;
}
const AWS_CLI = awsCliV2();

function aws(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(
    AWS_CLI as string,
    ['--endpoint-url', endpoint, '--region', 'eu-west-1', '--output', 'json', ...args],
    {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'AKIDCLI',
        AWS_SECRET_ACCESS_KEY: 'cli-secret',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(AWS_CLI === undefined)('the AWS CLI v2 (Debian’s awscli) against the same endpoint', () => {
  it('a bad parameter gets the error code AWS documents, and the CLI’s exit code for it', () => {
    const r = aws(
      'autoscaling',
      'set-desired-capacity',
      '--auto-scaling-group-name',
      'fleetproof-hello',
      '--desired-capacity',
      '99',
    );
    expect(r.err).toContain(
      'An error occurred (ValidationError) when calling the SetDesiredCapacity operation: New SetDesiredCapacity value 99 is above max value 3 for the AutoScalingGroup.',
    );
    expect(r.code).toBe(254);
    const unknown = aws('autoscaling', 'describe-instance-refreshes', '--auto-scaling-group-name', 'nope');
    expect(unknown.err).toContain('(ValidationError)');
  });

  it('start-instance-refresh rolls the fleet under load with 0 failed requests; describe-instance-refreshes shows the progress', async () => {
    const load = steadyLoad(listener, 4, 60_000);
    const started = aws(
      'autoscaling',
      'start-instance-refresh',
      '--auto-scaling-group-name',
      'fleetproof-hello',
      '--preferences',
      // awsCLI 2.9.19 predates MaxHealthyPercentage: AWS's default 100 (terminate first, one of two at a time).
      'MinHealthyPercentage=50,SkipMatching=false',
    );
    expect(started.code, started.err).toBe(0);
    const id = JSON.parse(started.out).InstanceRefreshId as string;
    const seen: string[] = [];
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline && !seen.at(-1)?.startsWith('Successful')) {
      const r = aws(
        'autoscaling',
        'describe-instance-refreshes',
        '--auto-scaling-group-name',
        'fleetproof-hello',
        '--instance-refresh-ids',
        id,
      );
      const refresh = JSON.parse(r.out).InstanceRefreshes[0];
      seen.push(`${refresh.Status} ${refresh.PercentageComplete}%`);
      await new Promise((res) => setTimeout(res, 300));
    }
    const samples = await load.stop();
    expect(seen.at(-1), seen.join(', ')).toBe('Successful 100%');
    expect(seen.some((s) => s.startsWith('InProgress'))).toBe(true);
    expect(samples.length).toBeGreaterThan(50);
    expect(samples.filter((s) => s.status !== 200)).toEqual([]);
  });

  it('describe-target-health and get-metric-statistics read the fleet', () => {
    const tg = JSON.parse(aws('elbv2', 'describe-target-groups').out).TargetGroups[0]
      .TargetGroupArn as string;
    const health = JSON.parse(aws('elbv2', 'describe-target-health', '--target-group-arn', tg).out);
    expect(
      health.TargetHealthDescriptions.map((d: { TargetHealth: { State: string } }) => d.TargetHealth.State),
    ).toContain('healthy');
    const now = Date.now();
    const stats = aws(
      'cloudwatch',
      'get-metric-statistics',
      '--namespace',
      'AWS/EC2',
      '--metric-name',
      'CPUUtilization',
      '--dimensions',
      'Name=AutoScalingGroupName,Value=fleetproof-hello',
      '--start-time',
      new Date(now - 300_000).toISOString(),
      '--end-time',
      new Date(now + 1000).toISOString(),
      '--period',
      '5',
      '--statistics',
      'Average',
    );
    expect(stats.code, stats.err).toBe(0);
    expect(JSON.parse(stats.out).Datapoints.length).toBeGreaterThan(0);
  });
});

describe('where the local fleet differs, knowingly', () => {
  it('a SIGKILLed service is an EC2 status failure here: its target drains at once (on EC2 the instance would stay up)', async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const arn = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.[0]
      ?.TargetGroupArn as string;
    const status = JSON.parse((await cli(projectDir, 'status', '--json')).out) as {
      group: { instances: { id: string; pid: number; lifecycle: string }[] };
    };
    const victim = status.group.instances.find((i) => i.lifecycle === 'in-service');
    if (!victim) throw new Error('no instance in service');
    process.kill(victim.pid, 'SIGKILL');
    const seen = new Set<string>();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !seen.has('unused Target.NotRegistered')) {
      const { TargetHealthDescriptions } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: victim.id }] }),
      );
      const h = TargetHealthDescriptions?.[0]?.TargetHealth;
      seen.add(`${h?.State} ${h?.Reason}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Taken out by the group (its process is gone), not found by the health checks: never `unhealthy`.
    expect([...seen].filter((s) => !s.startsWith('healthy'))).toEqual(
      expect.arrayContaining(['unused Target.NotRegistered']),
    );
    expect([...seen].some((s) => s.startsWith('unhealthy'))).toBe(false);
  });
});
