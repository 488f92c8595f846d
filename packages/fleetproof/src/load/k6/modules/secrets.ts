/**
 * k6/secrets, with the environment as the one secret source: get(name) resolves to the variable of that name.
 * Values read are redacted from the script's console output, as k6 redacts secrets from its logs.
 */
import { K6ScriptError, vu } from '../vu-state.js';

function read(name: string): Promise<string> {
  const value = vu().env[name];
  if (value === undefined)
    return Promise.reject(
      new K6ScriptError(
        `secret ${JSON.stringify(name)}: no environment variable of that name (fleetproof reads k6 secrets from the environment)`,
      ),
    );
  if (value) vu().secrets.add(value);
  return Promise.resolve(value);
}

const secrets = {
  get: read,
  source(_name: string) {
    return { get: read };
  },
};

export default secrets;
