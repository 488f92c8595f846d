import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FleetError } from '../errors.js';
import type { FleetproofConfig } from './schema.js';
import { validateConfig } from './validate.js';

/** The names fleetproof looks for, in this order: TypeScript or JavaScript, ESM or CommonJS. */
export const CONFIG_FILES = [
  'fleetproof.config.ts',
  'fleetproof.config.mts',
  'fleetproof.config.cts',
  'fleetproof.config.js',
  'fleetproof.config.mjs',
  'fleetproof.config.cjs',
] as const;
export const CONFIG_FILE = CONFIG_FILES[0];

/** The config file in `root`, if there is one. */
export function findConfigFile(root: string): string | undefined {
  return CONFIG_FILES.find((name) => existsSync(join(root, name)));
}

/**
 * Loads and validates the project's config. Every form goes through tsx (no build step), which loads a
 * `.ts` file as CommonJS in a package without "type": "module": there `export default x` arrives as
 * `{ default: x }` (and `module.exports = x` as `x`), so one level of that wrapping is taken off.
 */
export async function loadConfig(root: string, file = findConfigFile(root)): Promise<FleetproofConfig> {
  if (!file) {
    throw new FleetError(
      'FLEET_ERR_CONFIG',
      `no fleetproof config in ${root} (looked for ${CONFIG_FILES.join(', ')}): run npx fleetproof init`,
    );
  }
  const path = join(root, file);
  if (!existsSync(path)) throw new FleetError('FLEET_ERR_CONFIG', `${path} not found`);
  let module: { default?: unknown };
  try {
    // tsx loads only when a config is read (fleetproof load on a script file starts without it).
    const { tsImport } = await import('tsx/esm/api');
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
  } catch (error) {
    throw new FleetError('FLEET_ERR_CONFIG', `${file} could not be loaded: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const value = unwrapDefault(module.default);
  if (value === undefined) {
    throw new FleetError(
      'FLEET_ERR_CONFIG',
      `${file} exports no config: export default defineConfig({...}) (or module.exports = {...})`,
    );
  }
  return validateConfig(value, file);
}

/** `{ default: x }` or `{ __esModule: true, default: x }` (CommonJS interop) → x. */
export function unwrapDefault(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).filter((k) => k !== '__esModule' && k !== 'module.exports');
  if (keys.length === 1 && keys[0] === 'default')
    return unwrapDefault((value as { default: unknown }).default);
  return value;
}
