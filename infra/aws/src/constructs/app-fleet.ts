import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { type FleetproofAwsSettings, isGraviton } from '../aws-settings.js';
import { instanceUserData } from '../user-data.js';

export interface AppFleetProps {
  readonly vpc: ec2.IVpc;
  readonly settings: FleetproofAwsSettings;
  readonly repository: ecr.IRepository;
  readonly databaseSecret: secretsmanager.ISecret;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** Scaling and launch events are published here. */
  readonly notifications: sns.ITopic;
}

/**
 * The instances: a launch template (Amazon Linux 2023, arm64 on Graviton types, IMDSv2 only, encrypted gp3)
 * whose user data runs the image named by an SSM parameter, and the Auto Scaling Group around it (ELB health
 * checks with a grace period, CPU target tracking, instance refresh as the update policy).
 */
export class AppFleet extends Construct {
  readonly group: autoscaling.AutoScalingGroup;
  readonly securityGroup: ec2.SecurityGroup;
  readonly imageTag: ssm.StringParameter;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AppFleetProps) {
    super(scope, id);
    const s = props.settings;
    if (s.minCapacity > s.maxCapacity)
      throw new Error(
        `AppFleet minCapacity: got ${s.minCapacity}, expected at most maxCapacity (${s.maxCapacity})`,
      );
    const stack = Stack.of(this);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Instances: the app port from the load balancer only',
      // Out: ECR, S3, SSM, Secrets Manager, CloudWatch Logs (HTTPS) and the database.
      allowAllOutbound: true,
    });
    this.imageTag = new ssm.StringParameter(this, 'ImageTag', {
      parameterName: `/fleetproof/${s.serviceName}/image-tag`,
      stringValue: s.appVersion,
      description: 'The image tag (service version) instances run; fleetproof aws deploy sets it.',
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });

    this.role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description:
        'fleetproof instances: pull the image, read the database secret and the image tag, write logs',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    props.repository.grantPull(this.role);
    props.databaseSecret.grantRead(this.role);
    this.imageTag.grantRead(this.role);
    this.logGroup.grantWrite(this.role);
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
        reason: 'Session Manager replaces SSH (no key pair, no port 22); AWS maintains this policy.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken has no resource-level permissions: AWS requires Resource "*" for it.',
      },
    );

    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      ...instanceUserData({
        repositoryUri: props.repository.repositoryUri,
        registry: `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}`,
        imageTagParameter: this.imageTag.parameterName,
        databaseSecretArn: props.databaseSecret.secretArn,
        logGroupName: this.logGroup.logGroupName,
        appPort: s.appPort,
        serviceEnv: s.serviceEnv,
        stopGraceSeconds: s.terminationGraceSeconds,
        codedeployAgent: s.rolloutStrategy === 'codedeploy',
      }),
    );

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new ec2.InstanceType(s.instanceType),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType: isGraviton(s.instanceType) ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64,
      }),
      role: this.role,
      securityGroup: this.securityGroup,
      userData,
      requireImdsv2: true,
      // Two hops: the container reaches the metadata service through Docker's bridge.
      httpPutResponseHopLimit: 2,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(16, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true }),
        },
      ],
    });

    this.group = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: s.minCapacity,
      maxCapacity: s.maxCapacity,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.seconds(s.healthCheckGracePeriodSeconds),
      }),
      defaultInstanceWarmup: Duration.seconds(s.instanceWarmupSeconds),
      // Oldest version first, then oldest instance: the local group's termination order.
      terminationPolicies: [
        autoscaling.TerminationPolicy.OLDEST_LAUNCH_TEMPLATE,
        autoscaling.TerminationPolicy.OLDEST_INSTANCE,
      ],
      notifications: [{ topic: props.notifications }],
      // CodeDeploy replaces the application in place; CloudFormation must not also roll the instances.
      updatePolicy:
        s.rolloutStrategy === 'instance-refresh'
          ? autoscaling.UpdatePolicy.instanceRefresh({
              strategy: autoscaling.InstanceRefreshStrategy.ROLLING,
              minHealthyPercentage: s.minHealthyPercent,
              maxHealthyPercentage: s.maxHealthyPercent,
              instanceWarmup: Duration.seconds(s.instanceWarmupSeconds),
              skipMatching: s.skipMatching,
            })
          : undefined,
    });
    this.group.attachToApplicationTargetGroup(props.targetGroup);
    this.group.scaleOnCpuUtilization('CpuTargetTracking', { targetUtilizationPercent: s.targetCpuPercent });
  }
}
