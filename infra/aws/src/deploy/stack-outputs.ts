import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AwsDeployError } from './aws-context.js';

/** The deployed stack's outputs by key; one clear line when the stack does not exist yet. */
export async function stackOutputs(
  cloudformation: Pick<CloudFormationClient, 'send'>,
  stackName: string,
  region: string,
): Promise<Record<string, string>> {
  try {
    const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Stacks?.[0]?.Outputs ?? [];
    return Object.fromEntries(
      outputs.filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey, o.OutputValue]),
    );
  } catch (error) {
    if (/does not exist/.test((error as Error).message))
      throw new AwsDeployError(
        `stack ${stackName} not found in ${region}: create it first (npx fleetproof aws synth, then cdk deploy; see infra/aws/README.md)`,
      );
    throw error;
  }
}

export function requireOutput(outputs: Record<string, string>, key: string, stackName: string): string {
  const value = outputs[key];
  if (!value)
    throw new AwsDeployError(`stack ${stackName} has no output ${key}: is it from an older fleetproof?`);
  return value;
}
