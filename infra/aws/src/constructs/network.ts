import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface NetworkProps {
  /** @default 1 (one NAT gateway shared by both AZs: the minimum configuration's cost) */
  readonly natGateways?: number;
}

/**
 * Two AZs, three tiers: public subnets for the load balancer, private subnets (egress through NAT) for the
 * instances, isolated subnets for the database.
 *
 * Egress: one NAT gateway plus a free S3 gateway endpoint, not interface endpoints. Instances need ECR (API and
 * image layers, which come from S3), SSM, CloudWatch Logs and Secrets Manager; interface endpoints for those
 * five in two AZs cost about twice the NAT gateway's hourly price, while the S3 gateway endpoint keeps the
 * bulky layer downloads off the NAT for free. Production accounts that forbid internet egress should add the
 * interface endpoints instead (`vpc.addInterfaceEndpoint`).
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    const natGateways = props.natGateways ?? 1;
    if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > 2)
      throw new Error(`Network natGateways: got ${natGateways}, expected 1 or 2`);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      // The CDK default would add an ingress-everything rule to the default group; nothing uses it.
      restrictDefaultSecurityGroup: true,
    });
    this.vpc.addFlowLog('FlowLog');
  }
}
