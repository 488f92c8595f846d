import { SettingsError } from './settings.js';

/**
 * Entry points call this with a settings loader: a bad setting ends the process with one line per problem
 * and exit code 78 (EX_CONFIG from sysexits.h), which a supervisor can tell apart from a crash.
 */
export function loadOrExit<T>(load: (env: NodeJS.ProcessEnv) => T, env: NodeJS.ProcessEnv = process.env): T {
  try {
    return load(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
