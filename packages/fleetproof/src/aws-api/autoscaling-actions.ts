import { FleetError } from '../errors.js';
import type { GroupStatus, InstanceStatus } from '../fleet/group-status.js';
import type { RefreshState } from '../fleet/types.js';
import { AwsApiError, validation } from './aws-error.js';
import { type Action, boolean, integer, type LocalAws, refuseOthers, required } from './local-aws.js';
import { memberList } from './query-xml.js';

export const AUTOSCALING_NAMESPACE = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

const LIFECYCLE = { pending: 'Pending', 'in-service': 'InService', terminating: 'Terminating' } as const;

function checkGroup(aws: LocalAws, name: string): void {
  if (name !== aws.names.groupName && name !== aws.names.groupArn)
    throw validation(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
}

/** AWS's health: Unhealthy once EC2 (the process) or ELB health (past the grace period) says so. */
const healthOf = (i: InstanceStatus) => (i.health === 'unhealthy' ? 'Unhealthy' : 'Healthy');

function instanceXml(aws: LocalAws, i: InstanceStatus) {
  return {
    InstanceId: i.id,
    InstanceType: aws.config.instance.awsInstanceType,
    AvailabilityZone: i.zone,
    LifecycleState: LIFECYCLE[i.lifecycle],
    HealthStatus: healthOf(i),
    LaunchTemplate: launchTemplate(aws, i.templateVersion),
    ProtectedFromScaleIn: false,
  };
}

const launchTemplate = (aws: LocalAws, version: number) => ({
  LaunchTemplateId: aws.names.launchTemplateId,
  LaunchTemplateName: aws.names.launchTemplateName,
  Version: String(version),
});

function groupXml(aws: LocalAws, s: GroupStatus) {
  return {
    AutoScalingGroupName: aws.names.groupName,
    AutoScalingGroupARN: aws.names.groupArn,
    LaunchTemplate: launchTemplate(aws, s.launchTemplateVersion),
    MinSize: s.min,
    MaxSize: s.max,
    DesiredCapacity: s.desired,
    DefaultCooldown: 300,
    AvailabilityZones: [...s.zones],
    LoadBalancerNames: [],
    TargetGroupARNs: [aws.names.targetGroupArn],
    HealthCheckType: 'ELB',
    HealthCheckGracePeriod: Math.ceil(aws.fleet.timing.healthCheckGracePeriodSeconds),
    Instances: s.instances.map((i) => instanceXml(aws, i)),
    CreatedTime: aws.createdAt,
    SuspendedProcesses: [],
    EnabledMetrics: [],
    Tags: [],
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: false,
    DefaultInstanceWarmup: Math.ceil(aws.fleet.timing.instanceWarmupSeconds),
  };
}

/** FLEET_ERR_USAGE from the group (out of range, none in progress) as AWS's ValidationError. */
function asValidation<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FleetError && error.code === 'FLEET_ERR_USAGE') throw validation(error.message);
    throw error;
  }
}

const REFRESH_STATUS: Record<RefreshState['status'], string> = {
  'in-progress': 'InProgress',
  successful: 'Successful',
  failed: 'Failed',
  'rolled-back': 'RollbackSuccessful',
  cancelled: 'Cancelled',
};

function refreshStatus(r: RefreshState): string {
  if (r.rollbackOf === undefined) return REFRESH_STATUS[r.status];
  return (
    { 'in-progress': 'RollbackInProgress', successful: 'RollbackSuccessful' }[r.status as string] ??
    'RollbackFailed'
  );
}

function refreshXml(aws: LocalAws, r: RefreshState, s: GroupStatus) {
  const current = s.refresh?.id === r.id ? s.refresh : undefined;
  const done =
    r.status === 'successful' ? r.totalToReplace : current ? r.totalToReplace - current.remaining : 0;
  const percent =
    r.totalToReplace === 0
      ? r.status === 'in-progress'
        ? 0
        : 100
      : Math.round((done / r.totalToReplace) * 100);
  const policy = r.policy;
  return {
    InstanceRefreshId: r.id,
    AutoScalingGroupName: aws.names.groupName,
    Status: refreshStatus(r),
    ...(r.failedLaunches > 0
      ? { StatusReason: `${r.failedLaunches} new instance(s) failed their health checks` }
      : {}),
    StartTime: new Date(r.startedAt),
    PercentageComplete: Math.max(0, Math.min(100, percent)),
    InstancesToUpdate: Math.max(0, r.totalToReplace - done),
    ...(policy
      ? {
          Preferences: {
            MinHealthyPercentage: policy.minHealthyPercent,
            MaxHealthyPercentage: policy.maxHealthyPercent,
            SkipMatching: policy.skipMatching,
            AutoRollback: policy.autoRollback,
            ...(policy.instanceWarmupMs !== undefined
              ? { InstanceWarmup: policy.instanceWarmupMs / 1000 }
              : {}),
          },
        }
      : {}),
  };
}

const noActiveRefresh = (aws: LocalAws) =>
  new AwsApiError(
    'ActiveInstanceRefreshNotFound',
    `No in progress or pending Instance Refresh found for Auto Scaling group ${aws.names.groupName}`,
  );

export const AUTOSCALING_ACTIONS: Record<string, Action> = {
  DescribeAutoScalingGroups(params, aws) {
    const names = memberList(params, 'AutoScalingGroupNames');
    const listed = names.length === 0 || names.includes(aws.names.groupName);
    return { AutoScalingGroups: listed ? [groupXml(aws, aws.fleet.group.status())] : [] };
  },

  DescribeAutoScalingInstances(params, aws) {
    const ids = memberList(params, 'InstanceIds');
    const instances = aws.fleet.group
      .status()
      .instances.filter((i) => ids.length === 0 || ids.includes(i.id));
    return {
      AutoScalingInstances: instances.map((i) => {
        const { InstanceId, InstanceType, AvailabilityZone, LifecycleState, HealthStatus, LaunchTemplate } =
          instanceXml(aws, i);
        return {
          InstanceId,
          InstanceType,
          AutoScalingGroupName: aws.names.groupName,
          AvailabilityZone,
          LifecycleState,
          HealthStatus: HealthStatus.toUpperCase(),
          LaunchTemplate,
          ProtectedFromScaleIn: false,
        };
      }),
    };
  },

  SetDesiredCapacity(params, aws) {
    refuseOthers(params, ['AutoScalingGroupName', 'DesiredCapacity', 'HonorCooldown']);
    checkGroup(aws, required(params, 'AutoScalingGroupName'));
    const desired = integer(params, 'DesiredCapacity') ?? Number(required(params, 'DesiredCapacity'));
    const { min, max } = aws.fleet.group.status();
    if (desired > max)
      throw validation(
        `New SetDesiredCapacity value ${desired} is above max value ${max} for the AutoScalingGroup.`,
      );
    if (desired < min)
      throw validation(
        `New SetDesiredCapacity value ${desired} is below min value ${min} for the AutoScalingGroup.`,
      );
    aws.fleet.group.setDesired(desired);
    return undefined;
  },

  UpdateAutoScalingGroup(params, aws) {
    refuseOthers(params, ['AutoScalingGroupName', 'MinSize', 'MaxSize', 'DesiredCapacity']);
    checkGroup(aws, required(params, 'AutoScalingGroupName'));
    const min = integer(params, 'MinSize');
    const max = integer(params, 'MaxSize');
    const desired = integer(params, 'DesiredCapacity');
    const s = aws.fleet.group.status();
    if ((min ?? s.min) > (max ?? s.max))
      throw validation(
        `Max bound, ${max ?? s.max}, must be greater than or equal to min bound, ${min ?? s.min}`,
      );
    if (desired !== undefined && (desired < (min ?? s.min) || desired > (max ?? s.max)))
      throw validation(
        `Desired capacity:${desired} must be between the specified min size:${min ?? s.min} and max size:${max ?? s.max}`,
      );
    asValidation(() =>
      aws.fleet.group.request({
        kind: 'limits',
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(desired !== undefined ? { desired } : {}),
      }),
    );
    return undefined;
  },

  async StartInstanceRefresh(params, aws) {
    refuseOthers(params, [
      'AutoScalingGroupName',
      'Strategy',
      'Preferences',
      'DesiredConfiguration.LaunchTemplate',
    ]);
    checkGroup(aws, required(params, 'AutoScalingGroupName'));
    const strategy = params.get('Strategy') ?? 'Rolling';
    if (strategy !== 'Rolling')
      throw validation(`fleetproof's local endpoint runs the Rolling strategy only, not ${strategy}`);
    // AWS's own defaults when a preference is left out, not the config's rollout: this is the API's behaviour.
    const minHealthy = integer(params, 'Preferences.MinHealthyPercentage') ?? 90;
    const maxHealthy = integer(params, 'Preferences.MaxHealthyPercentage') ?? 100;
    if (minHealthy < 0 || minHealthy > 100)
      throw validation(`MinHealthyPercentage must be between 0 and 100, got ${minHealthy}`);
    if (maxHealthy < 100 || maxHealthy > 200)
      throw validation(`MaxHealthyPercentage must be between 100 and 200, got ${maxHealthy}`);
    if (maxHealthy - minHealthy > 100)
      throw validation(
        'The difference between MaxHealthyPercentage and MinHealthyPercentage must not exceed 100',
      );
    if (minHealthy === 100 && maxHealthy === 100)
      throw validation('MinHealthyPercentage and MaxHealthyPercentage cannot both be 100');
    const warmup = integer(params, 'Preferences.InstanceWarmup');
    const status = aws.fleet.group.status();
    if (status.refresh?.status === 'in-progress')
      throw new AwsApiError(
        'InstanceRefreshInProgress',
        'An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.',
      );
    const version = aws.parameters.get(aws.names.imageTagParameter) ?? status.launchAppVersion;
    const refresh = await aws.fleet.deploy({
      version,
      policy: {
        minHealthyPercent: minHealthy,
        maxHealthyPercent: maxHealthy,
        skipMatching: boolean(params, 'Preferences.SkipMatching') ?? false,
        autoRollback: boolean(params, 'Preferences.AutoRollback') ?? false,
        maxFailedLaunches: aws.config.rollout.maxFailedLaunches,
        ...(warmup !== undefined ? { instanceWarmupMs: warmup * 1000 } : {}),
      },
    });
    return { InstanceRefreshId: refresh.id };
  },

  DescribeInstanceRefreshes(params, aws) {
    checkGroup(aws, required(params, 'AutoScalingGroupName'));
    const ids = memberList(params, 'InstanceRefreshIds');
    const status = aws.fleet.group.status();
    const refreshes = aws.fleet.group
      .allRefreshes()
      .filter((r) => ids.length === 0 || ids.includes(r.id))
      .reverse();
    return { InstanceRefreshes: refreshes.map((r) => refreshXml(aws, r, status)) };
  },

  CancelInstanceRefresh(params, aws) {
    checkGroup(aws, required(params, 'AutoScalingGroupName'));
    const refresh = aws.fleet.group.status().refresh;
    if (refresh?.status !== 'in-progress') throw noActiveRefresh(aws);
    aws.fleet.group.request({ kind: 'cancel-refresh' });
    return { InstanceRefreshId: refresh.id };
  },

  RollbackInstanceRefresh(params, aws) {
    checkGroup(aws, required(params, 'AutoScalingGroupName'));
    const refresh = aws.fleet.group.status().refresh;
    if (refresh?.status !== 'in-progress' || refresh.rollbackOf !== undefined) throw noActiveRefresh(aws);
    aws.fleet.group.request({ kind: 'rollback-refresh' });
    return { InstanceRefreshId: refresh.id };
  },

  TerminateInstanceInAutoScalingGroup(params, aws) {
    const id = required(params, 'InstanceId');
    const decrement = boolean(params, 'ShouldDecrementDesiredCapacity');
    if (decrement === undefined) required(params, 'ShouldDecrementDesiredCapacity');
    if (!aws.fleet.group.status().instances.some((i) => i.id === id))
      throw validation(`Instance Id not found - No managed instance found for instance ID: ${id}`);
    const { at } = asValidation(() => aws.fleet.group.terminateInstance(id, decrement === true));
    return {
      Activity: {
        ActivityId: `${id}-terminate-${at}`,
        AutoScalingGroupName: aws.names.groupName,
        Description: `Terminating EC2 instance: ${id}`,
        Cause: `At ${new Date(at).toISOString()} instance ${id} was taken out of service in response to a user request${decrement ? ', shrinking the capacity' : ''}.`,
        StartTime: new Date(at),
        StatusCode: 'InProgress',
        Progress: 0,
      },
    };
  },

  SetInstanceHealth(params, aws) {
    const id = required(params, 'InstanceId');
    const health = required(params, 'HealthStatus');
    if (health !== 'Healthy' && health !== 'Unhealthy')
      throw validation(
        `Value '${health}' at 'healthStatus' failed to satisfy constraint: Member must be Healthy or Unhealthy`,
      );
    if (!aws.fleet.group.status().instances.some((i) => i.id === id))
      throw validation(`Instance Id not found - No managed instance found for instance ID: ${id}`);
    if (health === 'Unhealthy')
      asValidation(() => aws.fleet.group.request({ kind: 'unhealthy', instanceId: id }));
    return undefined;
  },

  DescribeScalingActivities(params, aws) {
    const name = params.get('AutoScalingGroupName');
    if (name !== undefined) checkGroup(aws, name);
    const max = integer(params, 'MaxRecords') ?? 100;
    const activities = aws.fleet.events
      .map((e, index) => ({ e, index }))
      .filter(({ e }) => e.source === 'asg')
      .reverse()
      .slice(0, max);
    return {
      Activities: activities.map(({ e, index }) => ({
        ActivityId: `${aws.names.groupName}-${index}`,
        AutoScalingGroupName: aws.names.groupName,
        Description: `${e.reason}: ${e.message}`,
        Cause: `At ${new Date(e.t).toISOString()} ${e.message}`,
        StartTime: new Date(e.t),
        EndTime: new Date(e.t),
        StatusCode: 'Successful',
        Progress: 100,
      })),
    };
  },

  DescribePolicies(params, aws) {
    const name = params.get('AutoScalingGroupName');
    if (name !== undefined) checkGroup(aws, name);
    const s = aws.fleet.group.status();
    return {
      ScalingPolicies: [
        {
          AutoScalingGroupName: aws.names.groupName,
          PolicyName: aws.names.policyName,
          PolicyARN: aws.names.policyArn,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingConfiguration: {
            PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
            TargetValue: s.targetCpuPercent,
            DisableScaleIn: false,
          },
          Enabled: aws.config.scaling.enabled,
          Alarms: [],
        },
      ],
    };
  },

  PutScalingPolicy(params, aws) {
    refuseOthers(params, ['AutoScalingGroupName', 'PolicyName', 'PolicyType', 'TargetTrackingConfiguration']);
    checkGroup(aws, required(params, 'AutoScalingGroupName'));
    required(params, 'PolicyName');
    const type = params.get('PolicyType') ?? 'SimpleScaling';
    const metric = params.get(
      'TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType',
    );
    if (type !== 'TargetTrackingScaling' || metric !== 'ASGAverageCPUUtilization')
      throw validation(
        `fleetproof's local group runs one policy, target tracking on ASGAverageCPUUtilization: got PolicyType ${type}${metric ? `, metric ${metric}` : ''}`,
      );
    const target = Number(required(params, 'TargetTrackingConfiguration.TargetValue'));
    if (!(target > 0 && target <= 100))
      throw validation(`TargetValue must be above 0 and at most 100, got ${target}`);
    aws.fleet.group.request({ kind: 'cpu-target', targetCpuPercent: target });
    return { PolicyARN: aws.names.policyArn, Alarms: [] };
  },
};
