import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { FleetproofAwsSettings } from './aws-settings.js';
import { AppFleet } from './constructs/app-fleet.js';
import { CodeDeployment } from './constructs/code-deployment.js';
import { Database } from './constructs/database.js';
import { ImageRepository } from './constructs/image-repository.js';
import { LoadBalancer } from './constructs/load-balancer.js';
import { Monitoring } from './constructs/monitoring.js';
import { Network } from './constructs/network.js';

export interface FleetproofStackProps extends StackProps {
  readonly settings: FleetproofAwsSettings;
}

/** Names of the stack outputs `fleetproof aws deploy` reads. */
export const OUTPUTS = {
  loadBalancerUrl: 'LoadBalancerUrl',
  repositoryUri: 'RepositoryUri',
  groupName: 'AutoScalingGroupName',
  imageTagParameter: 'ImageTagParameter',
  codedeployApplication: 'CodeDeployApplication',
  codedeployGroup: 'CodeDeployDeploymentGroup',
  revisionsBucket: 'RevisionsBucket',
} as const;

/**
 * The field reports' design on AWS, from the same settings the local fleet runs: VPC, ALB and target group,
 * launch template and Auto Scaling Group (target tracking, instance refresh), RDS PostgreSQL, ECR, alarms and
 * a dashboard; CodeDeploy when `rollout.strategy` is `codedeploy`.
 */
export class FleetproofStack extends Stack {
  constructor(scope: Construct, id: string, props: FleetproofStackProps) {
    super(scope, id, props);
    const s = props.settings;
    const network = new Network(this, 'Network');
    const notifications = new sns.Topic(this, 'Notifications', {
      displayName: `fleetproof ${s.serviceName}: scaling events and alarms`,
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    const loadBalancer = new LoadBalancer(this, 'LoadBalancer', { vpc: network.vpc, settings: s });
    const database = new Database(this, 'Database', {
      vpc: network.vpc,
      instanceType: s.databaseInstanceType,
      multiAz: s.databaseMultiAz,
    });
    const images = new ImageRepository(this, 'Images', { repositoryName: `fleetproof/${s.serviceName}` });
    const databaseSecret = database.instance.secret;
    if (!databaseSecret) throw new Error('Database: the generated credentials have no secret');
    const fleet = new AppFleet(this, 'Fleet', {
      vpc: network.vpc,
      settings: s,
      repository: images.repository,
      databaseSecret,
      targetGroup: loadBalancer.targetGroup,
      notifications,
    });
    database.allowFrom(fleet.securityGroup);
    const monitoring = new Monitoring(this, 'Monitoring', {
      serviceName: s.serviceName,
      alb: loadBalancer.alb,
      targetGroup: loadBalancer.targetGroup,
      group: fleet.group,
      maxCapacity: s.maxCapacity,
      targetCpuPercent: s.targetCpuPercent,
      notifications,
    });

    const scheme = s.certificateArn ? 'https' : 'http';
    new CfnOutput(this, OUTPUTS.loadBalancerUrl, {
      value: `${scheme}://${loadBalancer.alb.loadBalancerDnsName}`,
    });
    new CfnOutput(this, OUTPUTS.repositoryUri, { value: images.repository.repositoryUri });
    new CfnOutput(this, OUTPUTS.groupName, { value: fleet.group.autoScalingGroupName });
    new CfnOutput(this, OUTPUTS.imageTagParameter, { value: fleet.imageTag.parameterName });

    if (s.rolloutStrategy === 'codedeploy') {
      const deployment = new CodeDeployment(this, 'CodeDeploy', {
        group: fleet.group,
        targetGroup: loadBalancer.targetGroup,
        instanceRole: fleet.role,
        config: s.codedeployConfig,
        alarms: monitoring.alarms,
        autoRollback: s.autoRollback,
        accessLogs: loadBalancer.accessLogs,
      });
      new CfnOutput(this, OUTPUTS.codedeployApplication, { value: deployment.application.applicationName });
      new CfnOutput(this, OUTPUTS.codedeployGroup, { value: deployment.deploymentGroup.deploymentGroupName });
      new CfnOutput(this, OUTPUTS.revisionsBucket, { value: deployment.revisions.bucketName });
    }
  }
}
