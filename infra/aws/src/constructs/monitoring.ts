import { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface MonitoringProps {
  readonly serviceName: string;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly group: autoscaling.AutoScalingGroup;
  readonly maxCapacity: number;
  readonly targetCpuPercent: number;
  readonly notifications: sns.ITopic;
  /** @default 1 second */
  readonly p99ThresholdSeconds?: number;
}

/** The alarms a rollout watches, and the dashboard the field reports' authors watched by hand. */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const m = props.alb.metrics;
    const tg = props.targetGroup.metrics;
    const asgDimensions = { AutoScalingGroupName: props.group.autoScalingGroupName };
    const groupMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/AutoScaling',
        metricName,
        dimensionsMap: asgDimensions,
        statistic,
        period: Duration.minutes(1),
      });
    const cpu = new cloudwatch.Metric({
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensionsMap: asgDimensions,
      statistic: 'Average',
      period: Duration.minutes(1),
    });
    const p99 = tg.targetResponseTime({ statistic: 'p99', period: Duration.minutes(1) });
    const elb5xx = m.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
      period: Duration.minutes(1),
      statistic: 'Sum',
    });
    const target5xx = m.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
      period: Duration.minutes(1),
      statistic: 'Sum',
    });
    const unhealthy = tg.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' });
    const inService = groupMetric('GroupInServiceInstances', 'Average');

    const alarm = (
      name: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      periods: number,
      what: string,
    ) =>
      new cloudwatch.Alarm(this, name, {
        alarmDescription: `${props.serviceName}: ${what}`,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      alarm(
        'Elb5xx',
        elb5xx,
        5,
        2,
        'the load balancer answered 5xx (502/503/504) 5+ times a minute, 2 minutes running',
      ),
      alarm('Target5xx', target5xx, 5, 2, 'the service answered 5xx 5+ times a minute, 2 minutes running'),
      alarm('UnhealthyHosts', unhealthy, 1, 2, 'a target failed its health checks for 2 minutes'),
      alarm(
        'ResponseTimeP99',
        p99,
        props.p99ThresholdSeconds ?? 1,
        3,
        'p99 target response time over threshold for 3 minutes',
      ),
      alarm(
        'CpuHigh',
        cpu,
        Math.min(100, props.targetCpuPercent + 30),
        5,
        'average CPU far over the scaling target for 5 minutes',
      ),
      alarm(
        'AtMaxCapacity',
        inService,
        props.maxCapacity,
        15,
        'the group has run at its maximum size for 15 minutes',
      ),
    ];
    for (const a of this.alarms) a.addAlarmAction(new actions.SnsAction(props.notifications));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `fleetproof-${props.serviceName}`,
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests and 5xx',
        left: [m.requestCount({ period: Duration.minutes(1) })],
        right: [elb5xx, target5xx],
      }),
      new cloudwatch.GraphWidget({ title: 'Target response time p99 (s)', left: [p99] }),
      new cloudwatch.GraphWidget({
        title: 'Healthy / unhealthy targets',
        left: [tg.healthyHostCount({ period: Duration.minutes(1) }), unhealthy],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `Average CPU (target ${props.targetCpuPercent}%)`,
        left: [cpu],
        leftAnnotations: [{ value: props.targetCpuPercent, label: 'target' }],
      }),
      new cloudwatch.GraphWidget({
        title: 'Capacity',
        left: [groupMetric('GroupDesiredCapacity', 'Average'), inService],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms }),
    );
  }
}
