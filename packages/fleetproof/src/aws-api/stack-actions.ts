import { AwsApiError, validation } from './aws-error.js';
import type { Action, LocalAws } from './local-aws.js';

/**
 * The few calls `fleetproof aws deploy` makes besides Auto Scaling, answered as the deployed infra/aws stack
 * would answer them: who the caller is (STS), the stack's outputs (CloudFormation), the image-tag parameter
 * (SSM, whose value is the version the next instance refresh launches).
 */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const CLOUDFORMATION_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export const STS_ACTIONS: Record<string, Action> = {
  GetCallerIdentity(_params, aws) {
    return {
      UserId: 'AIDALOCALFLEETPROOF',
      Account: aws.names.account,
      Arn: `arn:aws:iam::${aws.names.account}:user/fleetproof-local`,
    };
  },
};

/** The stack's outputs by the keys infra/aws gives them (fleetproof-stack.ts OUTPUTS). */
export function stackOutputs(aws: LocalAws, listenerUrl: string): Record<string, string> {
  return {
    LoadBalancerUrl: listenerUrl,
    RepositoryUri: `${aws.names.account}.dkr.ecr.${aws.names.region}.amazonaws.com/${aws.config.service.name}`,
    AutoScalingGroupName: aws.names.groupName,
    ImageTagParameter: aws.names.imageTagParameter,
  };
}

export function cloudFormationActions(listenerUrl: string): Record<string, Action> {
  return {
    DescribeStacks(params, aws) {
      const name = params.get('StackName');
      if (name !== undefined && name !== aws.names.stackName)
        throw validation(`Stack with id ${name} does not exist`);
      return {
        Stacks: [
          {
            StackId: `arn:aws:cloudformation:${aws.names.region}:${aws.names.account}:stack/${aws.names.stackName}/local`,
            StackName: aws.names.stackName,
            CreationTime: aws.createdAt,
            StackStatus: 'CREATE_COMPLETE',
            Outputs: Object.entries(stackOutputs(aws, listenerUrl)).map(([OutputKey, OutputValue]) => ({
              OutputKey,
              OutputValue,
            })),
          },
        ],
      };
    },
  };
}

/** SSM speaks AWS JSON 1.1 (X-Amz-Target: AmazonSSM.<Action>), not Query: a body in, a body out. */
export function ssmAction(
  target: string,
  body: Record<string, unknown>,
  aws: LocalAws,
): Record<string, unknown> {
  const name = typeof body.Name === 'string' ? body.Name : undefined;
  if (target === 'AmazonSSM.PutParameter') {
    if (!name || typeof body.Value !== 'string')
      throw new AwsApiError('ValidationException', 'PutParameter needs Name and Value');
    if (name !== aws.names.imageTagParameter)
      throw new AwsApiError(
        'ValidationException',
        `fleetproof's local endpoint keeps one parameter, ${aws.names.imageTagParameter} (the version instances launch), not ${name}`,
      );
    if (!/^[\w.-]{1,64}$/.test(body.Value))
      throw new AwsApiError(
        'ValidationException',
        `the image tag must be a version (letters, digits, . _ -), got '${body.Value}'`,
      );
    const existed = aws.parameters.has(name);
    if (existed && body.Overwrite !== true)
      throw new AwsApiError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    aws.parameters.set(name, body.Value);
    return { Version: aws.parameters.size, Tier: 'Standard' };
  }
  if (target === 'AmazonSSM.GetParameter') {
    const value =
      name === undefined
        ? undefined
        : (aws.parameters.get(name) ??
          (name === aws.names.imageTagParameter ? aws.fleet.group.status().launchAppVersion : undefined));
    if (value === undefined || name === undefined) throw new AwsApiError('ParameterNotFound', '');
    return { Parameter: { Name: name, Type: 'String', Value: value, Version: 1, DataType: 'text' } };
  }
  throw new AwsApiError(
    'UnknownOperationException',
    `fleetproof's local endpoint does not emulate ${target}`,
  );
}
