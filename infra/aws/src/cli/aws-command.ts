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
import { findProjectRoot, loadConfig } from 'fleetproof';
import { buildApp, defaultRegion } from '../app.js';
import { AwsUsageError, accountFromCredentials, regionFromEnv } from '../deploy/aws-context.js';
import { awsDeploy } from '../deploy/aws-deploy.js';
import type { CommandRunner } from '../deploy/push-image.js';

export const awsUsage = `fleetproof aws synth [--out DIR] [--region R]
  Writes the CloudFormation template of the AWS deployment built from fleetproof.config.ts (no credentials needed).
fleetproof aws deploy --version V [--skip-build]
  Builds and pushes the image V (local docker), then rolls it out by instance refresh or CodeDeploy; exit 1 on failure.`;

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
      options: { version: { type: 'string' }, 'skip-build': { type: 'boolean' } },
      strict: true,
    });
    if (!values.version) throw new AwsUsageError(`--version is required\n${awsUsage}`);
    const region = regionFromEnv();
    const account = await accountFromCredentials(new STSClient({ region }));
    say(`account ${account} · region ${region} · ${config.rollout.strategy}`);
    const status = await awsDeploy({
      root,
      config,
      version: values.version,
      region,
      run: runCommand,
      say,
      skipBuild: values['skip-build'] === true,
      clients: {
        cloudformation: new CloudFormationClient({ region }),
        ecr: new ECRClient({ region }),
        ssm: new SSMClient({ region }),
        autoscaling: new AutoScalingClient({ region }),
        codedeploy: new CodeDeployClient({ region }),
        s3: new S3Client({ region }),
      },
    });
    say(`done    ${status}`);
    return 0;
  }
  throw new AwsUsageError(`unknown aws command ${JSON.stringify(sub ?? '')}\n${awsUsage}`);
}
