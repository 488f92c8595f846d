import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findConfigFile } from './config/load-config.js';
import { FleetError } from './errors.js';

/** The fleetproof project root: the nearest directory upwards with a fleetproof config or npm workspaces. */
export function findProjectRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (findConfigFile(dir) !== undefined || hasWorkspaces(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new FleetError(
        'FLEET_ERR_PROJECT_NOT_FOUND',
        `no fleetproof project at or above ${from}: expected a directory with fleetproof.config.ts ` +
          '(or .mts, .js, .mjs, .cjs); npx fleetproof init writes one',
      );
    }
    dir = parent;
  }
}

function hasWorkspaces(packageJson: string): boolean {
  if (!existsSync(packageJson)) return false;
  try {
    return Array.isArray(JSON.parse(readFileSync(packageJson, 'utf8')).workspaces);
  } catch {
    return false;
  }
}

/** Where a project's local state lives (embedded database, runs); git-ignored. */
export function stateDir(root: string): string {
  return join(root, '.fleetproof');
}
