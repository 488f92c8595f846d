import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { findProjectRoot, loadConfig, localAwsEndpoint, type TimingProfileName } from 'fleetproof';
import { buildApp, defaultRegion } from '../app.js';
import {
  AwsDeployError,
  AwsUsageError,
  accountFromCredentials,
  regionFromEnv,
} from '../deploy/aws-context.js';
import { awsDeploy } from '../deploy/aws-deploy.js';
import type { CommandRunner } from '../deploy/push-image.js';

export const awsUsage = `fleetproof aws synth [--out DIR] [--region R]
  Writes the CloudFormation template of the AWS deployment built from fleetproof.config.ts (no credentials needed).
fleetproof aws deploy --version V [--skip-build] [--endpoint local|URL]
  Builds and pushes the image V (local docker), then rolls it out by instance refresh or CodeDeploy; exit 1 on failure.
  --endpoint local: the same rollout against this project's running fleetproof up (its AWS endpoint), no build.`;

/**
 * Where `aws deploy` goes: AWS (region from the environment), `--endpoint local` (this project's running
 * `fleetproof up`, with its region and timings), or any AWS-compatible `--endpoint URL`.
 */
function deployTarget(
  endpoint: string | undefined,
  root: string,
): { region: string; endpoint?: string; timing?: TimingProfileName } {
  if (endpoint === undefined) return { region: regionFromEnv() };
  if (endpoint === 'local') {
    const local = localAwsEndpoint(root);
    return { region: local.region, endpoint: local.url, timing: local.timing };
  }
  if (!/^https?:\/\//.test(endpoint))
    throw new AwsUsageError(
      `--endpoint: got ${JSON.stringify(endpoint)}, expected local or an http(s):// URL`,
    );
  return { region: regionFromEnv(), endpoint };
}

/** The environment's credentials when set, else any: the local endpoint checks a signature's form, not its key. */
function localCredentials() {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  return accessKeyId && secretAccessKey
    ? { accessKeyId, secretAccessKey }
    : { accessKeyId: 'local', secretAccessKey: 'local' };
}

const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });

/** Entry point for `fleetproof aws …` (the fleetproof CLI loads this package only for this command). */
export async function awsCommand(argv: string[], say: (line: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  const root = findProjectRoot();
  const config = await loadConfig(root);
  if (sub === 'synth') {
    const { values } = parseArgs({
      args: rest,
      options: { out: { type: 'string' }, region: { type: 'string' } },
      strict: true,
    });
    const out = values.out ?? join(root, '.fleetproof', 'aws');
    mkdirSync(out, { recursive: true });
    const region = values.region ?? defaultRegion();
    const { app, stack } = buildApp(config, { outdir: join(out, 'cdk.out'), region });
    const template = app.synth().getStackByName(stack.stackName).template;
    const file = join(out, `${stack.stackName}.template.json`);
    writeFileSync(file, `${JSON.stringify(template, null, 2)}\n`);
    say(
      `${stack.stackName} (${region}): ${Object.keys(template.Resources ?? {}).length} resources → ${relative(process.cwd(), file)}`,
    );
    return 0;
  }
  if (sub === 'deploy') {
    const { values } = parseArgs({
      args: rest,
      options: {
        version: { type: 'string' },
        'skip-build': { type: 'boolean' },
        endpoint: { type: 'string' },
      },
      strict: true,
    });
    if (!values.version) throw new AwsUsageError(`--version is required\n${awsUsage}`);
    const target = deployTarget(values.endpoint, root);
    const { region, endpoint } = target;
    const options = { region, ...(endpoint ? { endpoint, credentials: localCredentials() } : {}) };
    const account = await accountFromCredentials(new STSClient(options));
    say(
      `account ${account} · region ${region} · ${config.rollout.strategy}${endpoint ? ` · endpoint ${endpoint}` : ''}`,
    );
    if (endpoint && config.rollout.strategy !== 'instance-refresh')
      throw new AwsDeployError(
        `--endpoint: the local endpoint runs instance refreshes; rollout.strategy ${config.rollout.strategy} needs AWS`,
      );
    if (endpoint) say('build   skipped: the local fleet runs the project’s own folder, no image');
    const status = await awsDeploy({
      root,
      config,
      version: values.version,
      region,
      run: runCommand,
      say,
      skipBuild: endpoint !== undefined || values['skip-build'] === true,
      ...(target.timing ? { timingProfile: target.timing, pollMs: 500 } : {}),
      clients: {
        cloudformation: new CloudFormationClient(options),
        ecr: new ECRClient(options),
        ssm: new SSMClient(options),
        autoscaling: new AutoScalingClient(options),
        codedeploy: new CodeDeployClient(options),
        s3: new S3Client(options),
      },
    });
    say(`done    ${status}`);
    return 0;
  }
  throw new AwsUsageError(`unknown aws command ${JSON.stringify(sub ?? '')}\n${awsUsage}`);
}
