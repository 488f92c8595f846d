import { AwsApiError } from './aws-error.js';

/** CloudWatch's own code for a bad parameter (its API reference: InvalidParameterValue, 400), not ValidationError. */
const validation = (message: string) => new AwsApiError('InvalidParameterValue', message);

import { type Action, integer, type LocalAws, required } from './local-aws.js';
import { METRICS, type MetricName, metricDatapoints, STATISTICS, type Statistic } from './metric-series.js';
import { memberList, memberStructs, type QueryParams } from './query-xml.js';

export const CLOUDWATCH_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

/** The dimension each metric is kept by here: the group for CPU, the load balancer (and target group) for ALB's. */
function dimensionsOk(aws: LocalAws, metric: MetricName, dims: Record<string, string>[]): boolean {
  const lb = aws.names.loadBalancerArn.split(':loadbalancer/')[1];
  const tg = `targetgroup/${aws.names.targetGroupArn.split(':targetgroup/')[1]}`;
  return dims.every(({ Name, Value }) =>
    metric === 'CPUUtilization'
      ? Name === 'AutoScalingGroupName' && Value === aws.names.groupName
      : (Name === 'LoadBalancer' && Value === lb) || (Name === 'TargetGroup' && Value === tg),
  );
}

function timeParam(params: QueryParams, name: string): number {
  const value = required(params, name);
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw validation(
      `Value '${value}' at '${name}' failed to satisfy constraint: Member must be a timestamp`,
    );
  return ms;
}

function checkMetric(
  aws: LocalAws,
  namespace: string,
  name: string,
  dims: Record<string, string>[],
): MetricName {
  const metric = Object.hasOwn(METRICS, name) ? (name as MetricName) : undefined;
  if (!metric || METRICS[metric].namespace !== namespace)
    throw validation(
      `fleetproof's local endpoint keeps ${Object.entries(METRICS)
        .map(([m, d]) => `${d.namespace} ${m}`)
        .join(', ')}; not ${namespace} ${name}`,
    );
  if (!dimensionsOk(aws, metric, dims))
    throw validation(`${name}: dimensions ${JSON.stringify(dims)} name no resource of this fleet`);
  return metric;
}

function statistic(value: string): Statistic {
  if (!(STATISTICS as readonly string[]).includes(value))
    throw validation(
      `fleetproof's local endpoint computes ${STATISTICS.join(', ')}; not '${value}' (percentiles need histograms it does not keep per period)`,
    );
  return value as Statistic;
}

const series = (
  aws: LocalAws,
  metric: MetricName,
  stat: Statistic,
  period: number,
  startMs: number,
  endMs: number,
) =>
  metricDatapoints({
    points: aws.recording.fleet,
    startedAt: aws.recording.startedAt,
    metric,
    statistic: stat,
    periodSeconds: period,
    startMs,
    endMs,
  });

export const CLOUDWATCH_ACTIONS: Record<string, Action> = {
  GetMetricStatistics(params, aws) {
    const name = required(params, 'MetricName');
    const metric = checkMetric(aws, required(params, 'Namespace'), name, memberStructs(params, 'Dimensions'));
    if (memberList(params, 'ExtendedStatistics').length > 0)
      throw validation("fleetproof's local endpoint does not compute ExtendedStatistics (percentiles)");
    const stats = memberList(params, 'Statistics').map(statistic);
    if (stats.length === 0) throw validation('Must specify either Statistics or ExtendedStatistics');
    const period = integer(params, 'Period') ?? Number(required(params, 'Period'));
    const startMs = timeParam(params, 'StartTime');
    const endMs = timeParam(params, 'EndTime');
    const byStat = stats.map(
      (s) => new Map(series(aws, metric, s, period, startMs, endMs).map((d) => [d.timestamp, d.value])),
    );
    const stamps = [...new Set(byStat.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
    return {
      Label: name,
      Datapoints: stamps.map((t) => ({
        Timestamp: new Date(t),
        ...Object.fromEntries(stats.map((s, i) => [s, byStat[i]?.get(t)])),
        Unit: METRICS[metric].unit,
      })),
    };
  },

  GetMetricData(params, aws) {
    const startMs = timeParam(params, 'StartTime');
    const endMs = timeParam(params, 'EndTime');
    const queries = memberStructs(params, 'MetricDataQueries');
    if (queries.length === 0) throw validation('MetricDataQueries must not be empty');
    const newestFirst = (params.get('ScanBy') ?? 'TimestampDescending') === 'TimestampDescending';
    const results = queries
      .filter((q) => q.ReturnData !== 'false')
      .map((q) => {
        if (q.Expression !== undefined)
          throw validation("fleetproof's local endpoint answers MetricStat queries, not Expression");
        const dims: Record<string, string>[] = [];
        for (let i = 1; q[`MetricStat.Metric.Dimensions.member.${i}.Name`] !== undefined; i++)
          dims.push({
            Name: q[`MetricStat.Metric.Dimensions.member.${i}.Name`] as string,
            Value: q[`MetricStat.Metric.Dimensions.member.${i}.Value`] ?? '',
          });
        const metric = checkMetric(
          aws,
          q['MetricStat.Metric.Namespace'] ?? '',
          q['MetricStat.Metric.MetricName'] ?? '',
          dims,
        );
        const points = series(
          aws,
          metric,
          statistic(q['MetricStat.Stat'] ?? ''),
          Number(q['MetricStat.Period']),
          startMs,
          endMs,
        );
        const ordered = newestFirst ? [...points].reverse() : points;
        return {
          Id: q.Id,
          Label: q.Label ?? metric,
          Timestamps: ordered.map((d) => new Date(d.timestamp)),
          Values: ordered.map((d) => d.value),
          StatusCode: 'Complete',
        };
      });
    return { MetricDataResults: results, Messages: [] };
  },
};
