import { loadSettings, type Settings, SettingsError } from './settings.js';

/** Entry points call this: a bad setting ends the process with one line per problem and exit code 78 (EX_CONFIG). */
export function loadSettingsOrExit(env: NodeJS.ProcessEnv = process.env): Settings {
  try {
    return loadSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
