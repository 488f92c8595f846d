import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface CodeDeploymentProps {
  readonly group: autoscaling.AutoScalingGroup;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly instanceRole: iam.IRole;
  readonly config: 'OneAtATime' | 'HalfAtATime' | 'AllAtOnce';
  /** Any of these in ALARM stops the deployment (and rolls it back when autoRollback is on). */
  readonly alarms: cloudwatch.IAlarm[];
  readonly autoRollback: boolean;
  readonly accessLogs: s3.IBucket;
}

const CONFIGS = {
  OneAtATime: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
  HalfAtATime: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
  AllAtOnce: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
} as const;

/**
 * The second report's rollout: CodeDeploy in place on the group's instances, behind the target group (each
 * instance is deregistered while its application is replaced), with alarms and automatic rollback. Revisions
 * (infra/aws/codedeploy: appspec.yml and hook scripts, plus the version) are uploaded to `revisions`.
 */
export class CodeDeployment extends Construct {
  readonly application: codedeploy.ServerApplication;
  readonly deploymentGroup: codedeploy.ServerDeploymentGroup;
  readonly revisions: s3.Bucket;

  constructor(scope: Construct, id: string, props: CodeDeploymentProps) {
    super(scope, id);
    this.revisions = new s3.Bucket(this, 'Revisions', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'revisions/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Read-only, objects only: the agent downloads the revision it is told to deploy.
    props.instanceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.revisions.arnForObjects('*')],
      }),
    );
    const bucketId = Stack.of(this).getLogicalId(this.revisions.node.defaultChild as CfnElement);
    Validations.of(props.instanceRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      reason: 'Revision bundles are named per deployment; the grant is read-only and limited to this bucket.',
    });
    this.application = new codedeploy.ServerApplication(this, 'Application');
    this.deploymentGroup = new codedeploy.ServerDeploymentGroup(this, 'DeploymentGroup', {
      application: this.application,
      autoScalingGroups: [props.group],
      loadBalancers: [codedeploy.LoadBalancer.application(props.targetGroup)],
      deploymentConfig: CONFIGS[props.config],
      // The agent is installed by the instances' user data (installAgent would add a second user data script).
      installAgent: false,
      alarms: props.alarms,
      autoRollback: {
        failedDeployment: props.autoRollback,
        deploymentInAlarm: props.autoRollback,
        stoppedDeployment: props.autoRollback,
      },
    });
    Validations.of(this.deploymentGroup).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRole]',
      reason: 'AWSCodeDeployRole is the service role policy AWS documents for EC2/on-premises deployments.',
    });
  }
}
