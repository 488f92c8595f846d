import { type ErrorCode, FleetError } from '../../errors.js';
import { line } from '../output.js';

type PackageCommand = (argv: string[], say: (text: string) => void) => Promise<number>;

/**
 * Runs a command that lives in an optional package (infra/aws, infra/k8s: CDK or cdk8s and their types are
 * loaded only when the command runs). The package's errors, known by name, become fleetproof's codes.
 */
export async function runOptionalPackage(o: {
  specifier: string;
  exportName: string;
  argv: string[];
  /** What a user without the package should install. */
  missing: string;
  /** Error name → code; usage errors and parseArgs errors are FLEET_ERR_USAGE always. */
  errors: Record<string, ErrorCode>;
  fallback: ErrorCode;
}): Promise<number> {
  let command: PackageCommand;
  try {
    command = ((await import(o.specifier)) as Record<string, PackageCommand>)[o.exportName] as PackageCommand;
  } catch (error) {
    throw new FleetError(o.fallback, `${o.missing} (${(error as Error).message})`);
  }
  try {
    return await command(o.argv, (text) => line(text));
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.name.endsWith('UsageError') || e.code?.startsWith('ERR_PARSE_ARGS'))
      throw new FleetError('FLEET_ERR_USAGE', e.message);
    const code = o.errors[e.name];
    if (code) throw new FleetError(code, e.message);
    throw error;
  }
}
