import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { FleetError } from '../errors.js';
import type { FleetproofConfig } from './schema.js';
import { validateConfig } from './validate.js';

export const CONFIG_FILE = 'fleetproof.config.ts';

/** Loads and validates `<root>/fleetproof.config.ts` (TypeScript, run through tsx: no build step). */
export async function loadConfig(root: string, file = CONFIG_FILE): Promise<FleetproofConfig> {
  const path = join(root, file);
  if (!existsSync(path)) {
    throw new FleetError(
      'FLEET_ERR_CONFIG',
      `${path} not found: create it with defineConfig from 'fleetproof'`,
    );
  }
  let module: { default?: unknown };
  try {
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
  } catch (error) {
    throw new FleetError('FLEET_ERR_CONFIG', `${file} could not be loaded: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (module.default === undefined) {
    throw new FleetError(
      'FLEET_ERR_CONFIG',
      `${file} has no default export: export default defineConfig({...})`,
    );
  }
  return validateConfig(module.default, file);
}
