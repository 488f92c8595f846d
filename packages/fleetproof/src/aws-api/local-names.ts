import { createHash } from 'node:crypto';

/** The account every local ARN carries (LocalStack's and moto's convention). */
export const LOCAL_ACCOUNT = '000000000000';

/**
 * The local fleet's resources named and ARN'd as AWS shapes them, stable for a run (derived from its id):
 * what `aws autoscaling describe-auto-scaling-groups` and friends answer with. The stack, its outputs and the
 * image-tag parameter are named as infra/aws names them, so `fleetproof aws deploy` finds them here too.
 */
export interface LocalNames {
  readonly region: string;
  readonly account: string;
  readonly groupName: string;
  readonly groupArn: string;
  readonly launchTemplateName: string;
  readonly launchTemplateId: string;
  readonly policyName: string;
  readonly policyArn: string;
  readonly targetGroupName: string;
  readonly targetGroupArn: string;
  readonly loadBalancerName: string;
  readonly loadBalancerArn: string;
  readonly listenerArn: string;
  readonly stackName: string;
  readonly imageTagParameter: string;
}

const hex = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);
const uuid = (seed: string) => {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

export function localNames(service: string, region: string, runId: string): LocalNames {
  const account = LOCAL_ACCOUNT;
  const groupName = `fleetproof-${service}`;
  const lb = `${service}-alb`.slice(0, 32);
  const tg = `${service}-tg`.slice(0, 32);
  const lbArn = `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/app/${lb}/${hex(`${runId}lb`, 16)}`;
  return {
    region,
    account,
    groupName,
    groupArn: `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:${uuid(`${runId}asg`)}:autoScalingGroupName/${groupName}`,
    launchTemplateName: `${service}-launch-template`,
    launchTemplateId: `lt-${hex(`${runId}lt`, 17)}`,
    policyName: `${service}-cpu-target`,
    policyArn: `arn:aws:autoscaling:${region}:${account}:scalingPolicy:${uuid(`${runId}policy`)}:autoScalingGroupName/${groupName}:policyName/${service}-cpu-target`,
    targetGroupName: tg,
    targetGroupArn: `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${tg}/${hex(`${runId}tg`, 16)}`,
    loadBalancerName: lb,
    loadBalancerArn: lbArn,
    listenerArn: `${lbArn.replace(':loadbalancer/', ':listener/')}/${hex(`${runId}listener`, 16)}`,
    stackName: `fleetproof-${service}`,
    imageTagParameter: `/fleetproof/${service}/image-tag`,
  };
}
