import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { FleetproofConfig, TimingProfileName } from 'fleetproof';
import { stackName } from '../app.js';
import { awsSettingsFromConfig, isGraviton } from '../aws-settings.js';
import { OUTPUTS } from '../fleetproof-stack.js';
import { AwsDeployError } from './aws-context.js';
import { type CommandRunner, pushImage } from './push-image.js';
import { rolloutByCodeDeploy } from './rollout-codedeploy.js';
import { rolloutByInstanceRefresh } from './rollout-instance-refresh.js';
import { requireOutput, stackOutputs } from './stack-outputs.js';

export interface AwsClients {
  cloudformation: Pick<CloudFormationClient, 'send'>;
  ecr: Pick<ECRClient, 'send'>;
  ssm: Pick<SSMClient, 'send'>;
  autoscaling: Pick<AutoScalingClient, 'send'>;
  codedeploy: Pick<CodeDeployClient, 'send'>;
  s3: Pick<S3Client, 'send'>;
}

export interface AwsDeployOptions {
  root: string;
  config: FleetproofConfig;
  version: string;
  region: string;
  clients: AwsClients;
  run: CommandRunner;
  say: (line: string) => void;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Skip the docker build and push (the image is already in ECR). */
  skipBuild?: boolean;
  /** The durations the rollout asks for (InstanceWarmup…): `aws`, or the local fleet's profile. */
  timingProfile?: TimingProfileName;
}

const CODEDEPLOY_DIR = join(import.meta.dirname, '..', '..', 'codedeploy');

/**
 * `fleetproof aws deploy --version V`: push the image tagged V, make V the tag new instances boot, then roll
 * it out the configured way (instance refresh, or CodeDeploy), reporting progress until it ends.
 */
export async function awsDeploy(o: AwsDeployOptions): Promise<string> {
  if (!/^[\w.-]{1,64}$/.test(o.version))
    throw new AwsDeployError(
      `--version: got "${o.version}", expected letters, digits, dot, dash or underscore (1-64)`,
    );
  const settings = awsSettingsFromConfig(o.config, o.timingProfile);
  const name = stackName(o.config);
  const outputs = await stackOutputs(o.clients.cloudformation, name, o.region);
  const repositoryUri = requireOutput(outputs, OUTPUTS.repositoryUri, name);
  if (!o.skipBuild) {
    if (!o.config.service.dockerfile)
      throw new AwsDeployError('service.dockerfile is not set in fleetproof.config.ts: nothing to build');
    await pushImage({
      ecr: o.clients.ecr,
      run: o.run,
      root: o.root,
      dockerfile: o.config.service.dockerfile,
      repositoryUri,
      version: o.version,
      platform: isGraviton(settings.instanceType) ? 'linux/arm64' : 'linux/amd64',
      say: o.say,
    });
  }
  const parameter = requireOutput(outputs, OUTPUTS.imageTagParameter, name);
  await o.clients.ssm.send(
    new PutParameterCommand({ Name: parameter, Value: o.version, Type: 'String', Overwrite: true }),
  );
  o.say(`tag     ${parameter} = ${o.version} (instances launched from now on run it)`);
  const rollout = { settings, say: o.say, pollMs: o.pollMs, sleep: o.sleep };
  if (settings.rolloutStrategy === 'instance-refresh')
    return rolloutByInstanceRefresh(
      o.clients.autoscaling,
      requireOutput(outputs, OUTPUTS.groupName, name),
      rollout,
    );
  const bundle = await revisionBundle(o.run, o.version, settings.healthCheckPath);
  return rolloutByCodeDeploy(
    { codedeploy: o.clients.codedeploy, s3: o.clients.s3 },
    {
      application: requireOutput(outputs, OUTPUTS.codedeployApplication, name),
      deploymentGroup: requireOutput(outputs, OUTPUTS.codedeployGroup, name),
      bucket: requireOutput(outputs, OUTPUTS.revisionsBucket, name),
    },
    { key: `${settings.serviceName}/${o.version}-${Date.now()}.tgz`, body: bundle, version: o.version },
    rollout,
  );
}

/** infra/aws/codedeploy (appspec.yml, scripts/) plus VERSION and HEALTH_PATH, as a .tgz. */
async function revisionBundle(run: CommandRunner, version: string, healthPath: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetproof-revision-'));
  try {
    cpSync(CODEDEPLOY_DIR, join(dir, 'bundle'), { recursive: true });
    writeFileSync(join(dir, 'bundle', 'VERSION'), `${version}\n`);
    writeFileSync(join(dir, 'bundle', 'HEALTH_PATH'), `${healthPath}\n`);
    const archive = join(dir, 'revision.tgz');
    if ((await run('tar', ['-czf', archive, '-C', join(dir, 'bundle'), '.'])) !== 0)
      throw new AwsDeployError('tar could not pack the CodeDeploy revision');
    return readFileSync(archive);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
