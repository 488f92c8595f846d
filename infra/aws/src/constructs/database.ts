import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /** @default 'db.t4g.micro' */
  readonly instanceType?: string;
  /** @default false */
  readonly multiAz?: boolean;
  /** @default 7 */
  readonly backupRetentionDays?: number;
}

/**
 * PostgreSQL in the isolated subnets: no route to or from the internet, encrypted, credentials generated into
 * Secrets Manager and rotated. Its security group admits nobody until `allowFrom` names the instances.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? 'db.t4g.micro';
    const match = /^db\.([a-z0-9]+\.[a-z0-9]+)$/.exec(instanceType);
    if (!match?.[1])
      throw new Error(`Database instanceType: got "${instanceType}", expected e.g. "db.t4g.micro"`);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: only from the instances and the secret rotation function',
      allowAllOutbound: false,
    });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      instanceType: new ec2.InstanceType(match[1]),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      storageEncrypted: true,
      allocatedStorage: 20,
      storageType: rds.StorageType.GP3,
      multiAz: props.multiAz ?? false,
      databaseName: 'fleetproof',
      credentials: rds.Credentials.fromGeneratedSecret('fleetproof'),
      backupRetention: Duration.days(props.backupRetentionDays ?? 7),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: ['postgresql'],
    });
    this.instance.addRotationSingleUser({ automaticallyAfter: Duration.days(30) });
    Validations.of(this.instance).acknowledge(
      {
        id: 'AwsSolutions-RDS3',
        reason:
          'The minimum configuration is single-AZ (the second report ran one db.t4g.micro); set aws.databaseMultiAz for a standby.',
      },
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'Isolated subnets and a security group that admits only the instances; a non-default port would hide nothing.',
      },
    );
  }

  /** Lets these instances (and nothing else) reach PostgreSQL. */
  allowFrom(peer: ec2.IConnectable): void {
    this.instance.connections.allowDefaultPortFrom(peer, 'PostgreSQL from the instances');
  }
}
