import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { FleetproofAwsSettings } from '../aws-settings.js';
import { LogBucket } from './log-bucket.js';

export interface LoadBalancerProps {
  readonly vpc: ec2.IVpc;
  readonly settings: FleetproofAwsSettings;
}

/**
 * The internet-facing ALB and the service's target group, configured from `healthCheck`, `balancer` and the
 * `aws` timing profile: what the local balancer emulates.
 */
export class LoadBalancer extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  /** Access logs of the load balancer (and other server access logs of the stack). */
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const { vpc, settings: s } = props;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'ALB: HTTP(S) from the internet; out only to the instances on the app port',
      allowAllOutbound: false,
    });
    const listenerPorts = s.certificateArn ? [80, 443] : [80];
    for (const port of listenerPorts)
      this.securityGroup.addIngressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(port),
        `listener ${port} from anywhere`,
      );
    Validations.of(this.securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The internet-facing load balancer: 0.0.0.0/0 reaches its listener ports only (80, and 443 with a certificate).',
    });

    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      securityGroup: this.securityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(s.idleTimeoutSeconds),
    });
    this.accessLogs = new LogBucket(this, 'AccessLogs').bucket;
    this.alb.logAccessLogs(this.accessLogs, 'alb');

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc,
      port: s.appPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      healthCheck: {
        path: s.healthCheckPath,
        healthyHttpCodes: s.healthCheckMatcher,
        interval: Duration.seconds(s.healthCheckIntervalSeconds),
        timeout: Duration.seconds(s.healthCheckTimeoutSeconds),
        healthyThresholdCount: s.healthyThreshold,
        unhealthyThresholdCount: s.unhealthyThreshold,
      },
      deregistrationDelay: Duration.seconds(s.deregistrationDelaySeconds),
      loadBalancingAlgorithmType:
        s.algorithm === 'least_outstanding_requests'
          ? elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS
          : elbv2.TargetGroupLoadBalancingAlgorithmType.ROUND_ROBIN,
      slowStart: s.slowStartSeconds > 0 ? Duration.seconds(s.slowStartSeconds) : undefined,
    });

    if (s.certificateArn) {
      this.alb.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(s.certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [this.targetGroup],
        open: false,
      });
      this.alb.addListener('Http', {
        port: 80,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
    } else {
      this.alb.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [this.targetGroup],
        open: false,
      });
    }
  }
}
