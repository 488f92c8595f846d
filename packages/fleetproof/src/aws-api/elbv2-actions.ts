import { AwsApiError, validation } from './aws-error.js';
import { type Action, boolean, integer, type LocalAws, refuseOthers, required } from './local-aws.js';
import { memberList, memberStructs, type XmlValue } from './query-xml.js';

export const ELBV2_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

const notFound = (
  what: 'LoadBalancerNotFound' | 'TargetGroupNotFound' | 'ListenerNotFound',
  message: string,
) => new AwsApiError(what, message);

function checkTargetGroup(aws: LocalAws, arn: string): void {
  if (arn !== aws.names.targetGroupArn)
    throw notFound('TargetGroupNotFound', `Target groups '${arn}' not found`);
}

function listenerAddress(aws: LocalAws): { host: string; port: number } {
  return { host: '127.0.0.1', port: aws.fleet.balancer.targetGroupSettings().port };
}

function targetGroupXml(aws: LocalAws) {
  const s = aws.fleet.balancer.targetGroupSettings();
  return {
    TargetGroupArn: aws.names.targetGroupArn,
    TargetGroupName: aws.names.targetGroupName,
    Protocol: 'HTTP',
    Port: aws.config.service.port,
    VpcId: 'vpc-local',
    HealthCheckProtocol: 'HTTP',
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    // AWS's fields are whole seconds: the fast profile's sub-second durations are shown rounded up.
    HealthCheckIntervalSeconds: Math.ceil(s.healthCheck.intervalMs / 1000),
    HealthCheckTimeoutSeconds: Math.ceil(s.healthCheck.timeoutMs / 1000),
    HealthyThresholdCount: s.thresholds.healthyThreshold,
    UnhealthyThresholdCount: s.thresholds.unhealthyThreshold,
    HealthCheckPath: s.healthCheck.path,
    Matcher: { HttpCode: s.healthCheck.matcher },
    LoadBalancerArns: [aws.names.loadBalancerArn],
    TargetType: 'instance',
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

/** ModifyTargetGroup's parameters as the balancer's health check change (seconds → ms, AWS's bounds). */
function healthCheckChange(params: ReadonlyMap<string, string>) {
  const interval = integer(params, 'HealthCheckIntervalSeconds');
  const timeout = integer(params, 'HealthCheckTimeoutSeconds');
  const healthy = integer(params, 'HealthyThresholdCount');
  const unhealthy = integer(params, 'UnhealthyThresholdCount');
  if (interval !== undefined && (interval < 5 || interval > 300))
    throw validation(`Health check interval must be between 5 and 300 seconds, got ${interval}`);
  if (timeout !== undefined && (timeout < 2 || timeout > 120))
    throw validation(`Health check timeout must be between 2 and 120 seconds, got ${timeout}`);
  for (const [name, v] of [
    ['HealthyThresholdCount', healthy],
    ['UnhealthyThresholdCount', unhealthy],
  ] as const)
    if (v !== undefined && (v < 2 || v > 10)) throw validation(`${name} must be between 2 and 10, got ${v}`);
  const path = params.get('HealthCheckPath');
  if (path !== undefined && !path.startsWith('/'))
    throw validation(`Health check path must begin with '/', got '${path}'`);
  const matcher = params.get('Matcher.HttpCode');
  return {
    healthCheck: {
      ...(interval !== undefined ? { intervalMs: interval * 1000 } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(matcher !== undefined ? { matcher } : {}),
    },
    thresholds: {
      ...(healthy !== undefined ? { healthyThreshold: healthy } : {}),
      ...(unhealthy !== undefined ? { unhealthyThreshold: unhealthy } : {}),
    },
  };
}

function targetIds(params: ReadonlyMap<string, string>): string[] {
  const ids = memberStructs(params, 'Targets').map((t) => t.Id ?? '');
  if (ids.length === 0 || ids.includes('')) throw validation('Targets must name at least one target by Id');
  return ids;
}

const ATTRIBUTES = ['deregistration_delay.timeout_seconds'] as const;

export const ELBV2_ACTIONS: Record<string, Action> = {
  DescribeLoadBalancers(params, aws) {
    const arns = memberList(params, 'LoadBalancerArns');
    const names = memberList(params, 'Names');
    if (arns.some((a) => a !== aws.names.loadBalancerArn))
      throw notFound('LoadBalancerNotFound', `One or more load balancers not found`);
    if (names.some((n) => n !== aws.names.loadBalancerName))
      throw notFound('LoadBalancerNotFound', `Load balancers '[${names.join(', ')}]' not found`);
    return {
      LoadBalancers: [
        {
          LoadBalancerArn: aws.names.loadBalancerArn,
          DNSName: listenerAddress(aws).host,
          CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
          CreatedTime: aws.createdAt,
          LoadBalancerName: aws.names.loadBalancerName,
          Scheme: 'internet-facing',
          VpcId: 'vpc-local',
          State: { Code: 'active' },
          Type: 'application',
          AvailabilityZones: aws.fleet.group
            .status()
            .zones.map((z, i) => ({ ZoneName: z, SubnetId: `subnet-local${i}` })),
          SecurityGroups: [],
          IpAddressType: 'ipv4',
        },
      ],
    };
  },

  DescribeListeners(params, aws) {
    const lb = params.get('LoadBalancerArn');
    if (lb !== undefined && lb !== aws.names.loadBalancerArn)
      throw notFound('LoadBalancerNotFound', `Load balancer '${lb}' not found`);
    const arns = memberList(params, 'ListenerArns');
    if (arns.some((a) => a !== aws.names.listenerArn))
      throw notFound('ListenerNotFound', 'One or more listeners not found');
    return {
      Listeners: [
        {
          ListenerArn: aws.names.listenerArn,
          LoadBalancerArn: aws.names.loadBalancerArn,
          Port: listenerAddress(aws).port,
          Protocol: 'HTTP',
          DefaultActions: [{ Type: 'forward', TargetGroupArn: aws.names.targetGroupArn }],
        },
      ],
    };
  },

  DescribeTargetGroups(params, aws) {
    const arns = memberList(params, 'TargetGroupArns');
    const names = memberList(params, 'Names');
    const lb = params.get('LoadBalancerArn');
    if (
      arns.some((a) => a !== aws.names.targetGroupArn) ||
      names.some((n) => n !== aws.names.targetGroupName)
    )
      throw notFound('TargetGroupNotFound', 'One or more target groups not found');
    if (lb !== undefined && lb !== aws.names.loadBalancerArn)
      throw notFound('LoadBalancerNotFound', `Load balancer '${lb}' not found`);
    return { TargetGroups: [targetGroupXml(aws)] };
  },

  DescribeTargetHealth(params, aws) {
    checkTargetGroup(aws, required(params, 'TargetGroupArn'));
    const asked = memberStructs(params, 'Targets').map((t) => t.Id ?? '');
    const targets = aws.fleet.balancer.group.all().filter((t) => asked.length === 0 || asked.includes(t.id));
    const port = aws.config.service.port;
    const described: XmlValue[] = targets.map((t) => ({
      Target: { Id: t.id, Port: port },
      HealthCheckPort: String(port),
      TargetHealth: {
        State: t.state,
        ...(t.state === 'healthy' || !t.reason
          ? {}
          : { Reason: t.reason, Description: describeReason(t.reason) }),
      },
    }));
    for (const id of asked.filter((id) => !targets.some((t) => t.id === id)))
      described.push({
        Target: { Id: id, Port: port },
        HealthCheckPort: String(port),
        TargetHealth: {
          State: 'unused',
          Reason: 'Target.NotRegistered',
          Description: describeReason('Target.NotRegistered'),
        },
      });
    return { TargetHealthDescriptions: described };
  },

  ModifyTargetGroup(params, aws) {
    refuseOthers(params, [
      'TargetGroupArn',
      'HealthCheckPath',
      'HealthCheckIntervalSeconds',
      'HealthCheckTimeoutSeconds',
      'HealthyThresholdCount',
      'UnhealthyThresholdCount',
      'Matcher.HttpCode',
      'HealthCheckEnabled',
      'HealthCheckProtocol',
    ]);
    checkTargetGroup(aws, required(params, 'TargetGroupArn'));
    if (boolean(params, 'HealthCheckEnabled') === false)
      throw validation('Health checks cannot be disabled for target groups with a target type of instance');
    const protocol = params.get('HealthCheckProtocol');
    if (protocol !== undefined && protocol !== 'HTTP')
      throw validation(`fleetproof's local target group checks over HTTP only, got ${protocol}`);
    const change = healthCheckChange(params);
    const now = aws.fleet.balancer.targetGroupSettings();
    const interval = change.healthCheck.intervalMs ?? now.healthCheck.intervalMs;
    const timeout = change.healthCheck.timeoutMs ?? now.healthCheck.timeoutMs;
    if (timeout >= interval) throw validation('Health check timeout must be smaller than the interval');
    aws.fleet.balancer.modifyTargetGroup(change);
    return { TargetGroups: [targetGroupXml(aws)] };
  },

  RegisterTargets(params, aws) {
    checkTargetGroup(aws, required(params, 'TargetGroupArn'));
    const ids = targetIds(params);
    const instances = aws.fleet.group.status().instances;
    const invalid = ids.filter((id) => !instances.some((i) => i.id === id && i.lifecycle !== 'terminating'));
    if (invalid.length > 0)
      throw new AwsApiError(
        'InvalidTarget',
        `The following targets are not in a running state and cannot be registered: '${invalid.join("', '")}'`,
      );
    for (const i of instances.filter((x) => ids.includes(x.id))) {
      const at = i.address.lastIndexOf(':');
      aws.fleet.balancer.register(i.id, i.address.slice(0, at), Number(i.address.slice(at + 1)));
    }
    return {};
  },

  DeregisterTargets(params, aws) {
    checkTargetGroup(aws, required(params, 'TargetGroupArn'));
    const ids = targetIds(params);
    const unknown = ids.filter((id) => !aws.fleet.balancer.group.get(id));
    if (unknown.length > 0)
      throw new AwsApiError(
        'InvalidTarget',
        `The following targets are not registered: '${unknown.join("', '")}'`,
      );
    // As on AWS the call returns at once; the target drains for the deregistration delay.
    for (const id of ids) void aws.fleet.balancer.deregister(id);
    return {};
  },

  DescribeTargetGroupAttributes(params, aws) {
    checkTargetGroup(aws, required(params, 'TargetGroupArn'));
    return { Attributes: attributes(aws) };
  },

  ModifyTargetGroupAttributes(params, aws) {
    checkTargetGroup(aws, required(params, 'TargetGroupArn'));
    const given = memberStructs(params, 'Attributes');
    for (const a of given) {
      if (!ATTRIBUTES.includes(a.Key as (typeof ATTRIBUTES)[number]))
        throw validation(
          `fleetproof's local target group changes ${ATTRIBUTES.join(', ')} at run time, not '${a.Key}'`,
        );
      const seconds = Number(a.Value);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600)
        throw validation(
          `'${a.Value}' is not a valid value for deregistration_delay.timeout_seconds (0-3600)`,
        );
      aws.fleet.balancer.modifyTargetGroup({ deregistrationDelayMs: seconds * 1000 });
    }
    return { Attributes: attributes(aws) };
  },
};

function attributes(aws: LocalAws) {
  const s = aws.fleet.balancer.targetGroupSettings();
  return [
    { Key: 'deregistration_delay.timeout_seconds', Value: String(Math.ceil(s.deregistrationDelayMs / 1000)) },
    { Key: 'load_balancing.algorithm.type', Value: s.algorithm },
    { Key: 'slow_start.duration_seconds', Value: String(Math.ceil(s.slowStartMs / 1000)) },
    { Key: 'stickiness.enabled', Value: 'false' },
  ];
}

/** The descriptions DescribeTargetHealth gives with each reason code (ELBv2 API reference, TargetHealth). */
function describeReason(reason: string): string {
  return (
    (
      {
        'Elb.RegistrationInProgress': 'Target registration is in progress',
        'Elb.InitialHealthChecking': 'Initial health checks in progress',
        'Target.ResponseCodeMismatch': 'Health checks failed with these codes',
        'Target.Timeout': 'Request timed out',
        'Target.FailedHealthChecks': 'Health checks failed',
        'Target.NotRegistered': 'Target is not registered to the target group',
        'Target.NotInUse': 'Target group is not configured to receive traffic from the load balancer',
        'Target.DeregistrationInProgress': 'Target deregistration is in progress',
        'Elb.InternalError': 'Health checks failed due to an internal error',
      } as Record<string, string>
    )[reason] ?? reason
  );
}
