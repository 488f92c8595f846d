import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** Thrown for a problem the user fixes outside fleetproof (credentials, region, docker): one line, no stack. */
export class AwsDeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsDeployError';
  }
}

/** The command line was wrong (unknown subcommand, missing option): the CLI shows usage and exits 2. */
export class AwsUsageError extends AwsDeployError {
  constructor(message: string) {
    super(message);
    this.name = 'AwsUsageError';
  }
}

/** The region from the environment, or one clear line saying how to set it. */
export function regionFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new AwsDeployError(
      'no AWS region: set AWS_REGION (e.g. AWS_REGION=us-east-1) or AWS_DEFAULT_REGION',
    );
  return region;
}

/** The account the credentials belong to, or one clear line when there are none (or they are rejected). */
export async function accountFromCredentials(sts: Pick<STSClient, 'send'>): Promise<string> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new AwsDeployError('AWS STS returned no account for these credentials');
    return identity.Account;
  } catch (error) {
    if (error instanceof AwsDeployError) throw error;
    const name = (error as Error).name;
    if (name === 'CredentialsProviderError' || /credential/i.test((error as Error).message))
      throw new AwsDeployError(
        'no AWS credentials: set AWS_PROFILE (after aws sso login / aws configure) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      );
    throw new AwsDeployError(`AWS rejected the credentials: ${name}: ${(error as Error).message}`);
  }
}

/** Waits between status polls (tests inject an immediate one). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
