import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import {
  AutoScalingClient,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodeDeployClient, CreateDeploymentCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsDeployError, accountFromCredentials, regionFromEnv } from '../src/deploy/aws-context.js';
import { awsDeploy } from '../src/deploy/aws-deploy.js';
import type { CommandRunner } from '../src/deploy/push-image.js';
import { testConfig } from './synth-helpers.js';

const cloudformation = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);
const autoscaling = mockClient(AutoScalingClient);
const codedeploy = mockClient(CodeDeployClient);
const s3 = mockClient(S3Client);
const ecr = mockClient(ECRClient);
const sts = mockClient(STSClient);

const OUTPUTS = {
  RepositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleetproof/api',
  AutoScalingGroupName: 'fleetproof-api-group',
  ImageTagParameter: '/fleetproof/api/image-tag',
  CodeDeployApplication: 'fleetproof-app',
  CodeDeployDeploymentGroup: 'fleetproof-group',
  RevisionsBucket: 'fleetproof-revisions',
};
const stackWith = (outputs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: 'fleetproof-api',
      CreationTime: new Date(),
      StackStatus: 'CREATE_COMPLETE' as const,
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

/** Runs real commands (tar) but records docker calls instead of running them. */
function recordingRunner(dockerExit = 0) {
  const calls: string[] = [];
  const run: CommandRunner = async (command, args, options = {}) => {
    calls.push([command, ...args].join(' ') + (options.stdin ? ` <stdin ${options.stdin}>` : ''));
    if (command === 'docker') return dockerExit;
    return spawnSync(command, args, { cwd: options.cwd }).status ?? 1;
  };
  return { run, calls };
}

const lines: string[] = [];
const base = (config = testConfig()) => ({
  root: '/repo',
  config,
  version: 'V8',
  region: 'eu-west-1',
  clients: { cloudformation, ssm, autoscaling, codedeploy, s3, ecr } as never,
  say: (line: string) => lines.push(line),
  sleep: async () => {},
});

beforeEach(() => {
  for (const m of [cloudformation, ssm, autoscaling, codedeploy, s3, ecr, sts]) m.reset();
  lines.length = 0;
  cloudformation.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
  ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: Buffer.from('AWS:secret-token').toString('base64') }],
  });
});

describe('fleetproof aws deploy: instance refresh', () => {
  it('pushes the image, sets the tag, starts a refresh with the rollout preferences and follows it to success', async () => {
    autoscaling.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: 'ir-1' });
    autoscaling
      .on(DescribeInstanceRefreshesCommand)
      .resolvesOnce({ InstanceRefreshes: [{ Status: 'InProgress', PercentageComplete: 50 }] })
      .resolves({ InstanceRefreshes: [{ Status: 'Successful', PercentageComplete: 100 }] });
    const { run, calls } = recordingRunner();
    await expect(awsDeploy({ ...base(), run })).resolves.toBe('Successful');

    expect(calls).toEqual([
      'docker version --format {{.Client.Version}}',
      `docker build --platform linux/arm64 -f apps/api/Dockerfile -t ${OUTPUTS.RepositoryUri}:V8 .`,
      'docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com <stdin secret-token>',
      `docker push ${OUTPUTS.RepositoryUri}:V8`,
    ]);
    expect(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input).toMatchObject({
      Name: OUTPUTS.ImageTagParameter,
      Value: 'V8',
      Overwrite: true,
    });
    expect(autoscaling.commandCalls(StartInstanceRefreshCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: OUTPUTS.AutoScalingGroupName,
      Strategy: 'Rolling',
      Preferences: {
        MinHealthyPercentage: 90,
        MaxHealthyPercentage: 150,
        InstanceWarmup: 300,
        SkipMatching: false,
        AutoRollback: true,
      },
    });
    expect(lines).toContain('refresh InProgress 50%');
    expect(lines).toContain('refresh Successful 100%');
  });

  it('a rolled-back refresh is a failure, with its reason', async () => {
    autoscaling.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: 'ir-2' });
    autoscaling.on(DescribeInstanceRefreshesCommand).resolves({
      InstanceRefreshes: [
        {
          Status: 'RollbackSuccessful',
          PercentageComplete: 0,
          StatusReason: 'new instances failed ELB health checks',
        },
      ],
    });
    await expect(awsDeploy({ ...base(), run: recordingRunner().run, skipBuild: true })).rejects.toThrow(
      'instance refresh ir-2 ended RollbackSuccessful: new instances failed ELB health checks',
    );
  });

  it('no docker: one clear line, nothing pushed or rolled out', async () => {
    await expect(awsDeploy({ ...base(), run: recordingRunner(127).run })).rejects.toThrow(
      /docker is not available/,
    );
    expect(autoscaling.commandCalls(StartInstanceRefreshCommand)).toHaveLength(0);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('no stack yet: says how to create it', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(new Error('Stack with id fleetproof-api does not exist'));
    await expect(awsDeploy({ ...base(), run: recordingRunner().run })).rejects.toThrow(
      /stack fleetproof-api not found in eu-west-1: create it first/,
    );
  });

  it('rejects a version that cannot be an image tag', async () => {
    await expect(awsDeploy({ ...base(), version: 'v 2', run: recordingRunner().run })).rejects.toThrow(
      '--version: got "v 2"',
    );
  });
});

describe('fleetproof aws deploy: CodeDeploy', () => {
  const config = testConfig({ rollout: { strategy: 'codedeploy', codedeployConfig: 'OneAtATime' } });

  it('uploads a revision with appspec, hooks, VERSION and HEALTH_PATH, deploys it and follows it', async () => {
    s3.on(PutObjectCommand).resolves({});
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-1' });
    codedeploy
      .on(GetDeploymentCommand)
      .resolvesOnce({
        deploymentInfo: {
          status: 'InProgress',
          deploymentOverview: { Succeeded: 1, InProgress: 1, Pending: 0, Failed: 0 },
        },
      })
      .resolves({ deploymentInfo: { status: 'Succeeded' } });
    await expect(awsDeploy({ ...base(config), run: recordingRunner().run, skipBuild: true })).resolves.toBe(
      'Succeeded',
    );

    const upload = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(upload?.Bucket).toBe(OUTPUTS.RevisionsBucket);
    const tar = gunzipSync(upload?.Body as Uint8Array).toString('latin1');
    for (const name of ['appspec.yml', 'scripts/validate-service.sh', 'VERSION', 'HEALTH_PATH'])
      expect(tar).toContain(name);
    expect(tar).toContain('V8\n');
    expect(tar).toContain('/health\n');
    expect(codedeploy.commandCalls(CreateDeploymentCommand)[0]?.args[0].input).toMatchObject({
      applicationName: OUTPUTS.CodeDeployApplication,
      deploymentGroupName: OUTPUTS.CodeDeployDeploymentGroup,
      deploymentConfigName: 'CodeDeployDefault.OneAtATime',
      revision: { revisionType: 'S3', s3Location: { bucket: OUTPUTS.RevisionsBucket, bundleType: 'tgz' } },
    });
    expect(lines).toContain('deploy  InProgress · succeeded 1, in progress 1, pending 0, failed 0');
  });

  it('a failed deployment that rolled back is a failure naming the rollback', async () => {
    s3.on(PutObjectCommand).resolves({});
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-2' });
    codedeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        status: 'Failed',
        rollbackInfo: { rollbackDeploymentId: 'd-3' },
        errorInformation: { message: 'ValidateService failed' },
      },
    });
    await expect(awsDeploy({ ...base(config), run: recordingRunner().run, skipBuild: true })).rejects.toThrow(
      'deployment d-2 Failed (rolled back by d-3): ValidateService failed',
    );
  });
});

describe('credentials and region', () => {
  it('no region: one line saying which variable to set', () => {
    expect(() => regionFromEnv({})).toThrow(
      new AwsDeployError('no AWS region: set AWS_REGION (e.g. AWS_REGION=us-east-1) or AWS_DEFAULT_REGION'),
    );
    expect(regionFromEnv({ AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('eu-west-1');
  });

  it('no credentials: one line saying how to provide them', async () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    sts.on(GetCallerIdentityCommand).rejects(error);
    await expect(accountFromCredentials(new STSClient({ region: 'eu-west-1' }))).rejects.toThrow(
      /^no AWS credentials: set AWS_PROFILE/,
    );
  });

  it('credentials: the account they belong to', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    await expect(accountFromCredentials(new STSClient({ region: 'eu-west-1' }))).resolves.toBe(
      '123456789012',
    );
  });
});
