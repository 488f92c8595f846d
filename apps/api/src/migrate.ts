/**
 * Migrate entry point: `node apps/api/dist/migrate.js` (the Docker image's `migrate` target runs this).
 * Safe to run from every instance at start: an advisory lock serialises concurrent runs.
 */
import { loadOrExit } from './config/load-or-exit.js';
import { loadMigrationSettings } from './config/settings.js';
import { migrateDatabase } from './db/migrate-database.js';

const settings = loadOrExit(loadMigrationSettings);
try {
  const result = await migrateDatabase(settings.DATABASE_URL, { seed: settings.SEED_DEMO_USERS });
  console.log(
    `migrations: ${result.applied} applied, demo users: ${result.seededUsers} seeded` +
      (result.waitedForLockMs > 50 ? ` (waited ${result.waitedForLockMs} ms for another migrator)` : ''),
  );
} catch (error) {
  console.error(`migration failed: ${(error as Error).message}`);
  process.exit(1);
}
