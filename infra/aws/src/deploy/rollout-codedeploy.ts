import {
  type CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AwsDeployError, sleep } from './aws-context.js';
import type { RolloutOptions } from './rollout-instance-refresh.js';

/**
 * Uploads a revision bundle (a .tgz of infra/aws/codedeploy with VERSION and HEALTH_PATH) and deploys it to
 * the deployment group with the config's deployment configuration; reports each status until it ends. The
 * group's alarms and automatic rollback come from the stack. Throws unless the deployment Succeeded.
 */
export async function rolloutByCodeDeploy(
  clients: { codedeploy: Pick<CodeDeployClient, 'send'>; s3: Pick<S3Client, 'send'> },
  target: { application: string; deploymentGroup: string; bucket: string },
  bundle: { key: string; body: Uint8Array; version: string },
  o: RolloutOptions,
): Promise<string> {
  await clients.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: bundle.key, Body: bundle.body }));
  const { deploymentId } = await clients.codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: target.application,
      deploymentGroupName: target.deploymentGroup,
      deploymentConfigName: `CodeDeployDefault.${o.settings.codedeployConfig}`,
      description: `fleetproof: ${o.settings.serviceName} ${bundle.version}`,
      revision: {
        revisionType: 'S3',
        s3Location: { bucket: target.bucket, key: bundle.key, bundleType: 'tgz' },
      },
    }),
  );
  if (!deploymentId) throw new AwsDeployError('CreateDeployment returned no deployment id');
  o.say(`deploy  ${deploymentId} (${o.settings.codedeployConfig}) of ${bundle.version}`);
  let last = '';
  for (;;) {
    const { deploymentInfo: info } = await clients.codedeploy.send(
      new GetDeploymentCommand({ deploymentId }),
    );
    const status = info?.status ?? 'Unknown';
    const o2 = info?.deploymentOverview;
    const line = `deploy  ${status}${o2 ? ` · succeeded ${o2.Succeeded ?? 0}, in progress ${o2.InProgress ?? 0}, pending ${o2.Pending ?? 0}, failed ${o2.Failed ?? 0}` : ''}`;
    if (line !== last) o.say(line);
    last = line;
    if (status === 'Succeeded') return status;
    if (status === 'Failed' || status === 'Stopped') {
      const rolledBack = info?.rollbackInfo?.rollbackDeploymentId
        ? ` (rolled back by ${info.rollbackInfo.rollbackDeploymentId})`
        : '';
      throw new AwsDeployError(
        `deployment ${deploymentId} ${status}${rolledBack}${info?.errorInformation?.message ? `: ${info.errorInformation.message}` : ''}`,
      );
    }
    await (o.sleep ?? sleep)(o.pollMs ?? 15_000);
  }
}
