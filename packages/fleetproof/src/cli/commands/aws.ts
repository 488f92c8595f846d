import { FleetError } from '../../errors.js';
import { line } from '../output.js';

// A variable specifier: the CLI must not need aws-cdk-lib (or its types) unless this command runs.
const AWS_PACKAGE = '@fleetproof/infra-aws';

interface AwsModule {
  awsCommand(argv: string[], say: (text: string) => void): Promise<number>;
}

export async function awsCommand(argv: string[]): Promise<number> {
  let module: AwsModule;
  try {
    module = (await import(AWS_PACKAGE)) as AwsModule;
  } catch (error) {
    throw new FleetError(
      'FLEET_ERR_AWS',
      `fleetproof aws needs the ${AWS_PACKAGE} workspace (infra/aws), built: npm install (${(error as Error).message})`,
    );
  }
  try {
    return await module.awsCommand(argv, (text) => line(text));
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.name === 'AwsUsageError' || e.code?.startsWith('ERR_PARSE_ARGS'))
      throw new FleetError('FLEET_ERR_USAGE', e.message);
    if (e.name === 'AwsDeployError') throw new FleetError('FLEET_ERR_AWS', e.message);
    throw error;
  }
}
