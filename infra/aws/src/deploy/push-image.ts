import { type ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { AwsDeployError } from './aws-context.js';

/** Runs a command; resolves with its exit code. stdin is written and closed when given. */
export type CommandRunner = (
  command: string,
  args: string[],
  options?: { stdin?: string; cwd?: string },
) => Promise<number>;

/**
 * Builds the service image with the local docker client, logs in to ECR with a token from the SDK, and pushes
 * `<repository>:<version>`. The repository's tags are immutable: a version is pushed once.
 */
export async function pushImage(o: {
  ecr: Pick<ECRClient, 'send'>;
  run: CommandRunner;
  root: string;
  dockerfile: string;
  repositoryUri: string;
  version: string;
  platform: 'linux/arm64' | 'linux/amd64';
  say: (line: string) => void;
}): Promise<string> {
  const image = `${o.repositoryUri}:${o.version}`;
  const check = await o.run('docker', ['version', '--format', '{{.Client.Version}}']).catch(() => 127);
  if (check !== 0)
    throw new AwsDeployError(
      'docker is not available: install Docker (or start its daemon) to build and push the image',
    );
  o.say(`build   ${image} (${o.platform}) from ${o.dockerfile}`);
  if (
    (await o.run('docker', ['build', '--platform', o.platform, '-f', o.dockerfile, '-t', image, '.'], {
      cwd: o.root,
    })) !== 0
  )
    throw new AwsDeployError(`docker build failed for ${o.dockerfile}`);
  const { authorizationData } = await o.ecr.send(new GetAuthorizationTokenCommand({}));
  const token = authorizationData?.[0]?.authorizationToken;
  if (!token) throw new AwsDeployError('ECR returned no authorization token');
  const [user, password] = Buffer.from(token, 'base64').toString('utf8').split(':');
  const registry = o.repositoryUri.split('/')[0] ?? '';
  if (
    (await o.run('docker', ['login', '--username', user ?? 'AWS', '--password-stdin', registry], {
      stdin: password,
    })) !== 0
  )
    throw new AwsDeployError(`docker login to ${registry} failed`);
  o.say(`push    ${image}`);
  if ((await o.run('docker', ['push', image])) !== 0)
    throw new AwsDeployError(
      `docker push ${image} failed (the repository's tags are immutable: is ${o.version} already pushed?)`,
    );
  return image;
}
