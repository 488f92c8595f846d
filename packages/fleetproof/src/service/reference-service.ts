/**
 * How to run the reference service (apps/api). The fleet issue moves these into fleetproof.config.ts;
 * until then this is the single place that knows them.
 */
export const REFERENCE_SERVICE = {
  name: 'api',
  command: ['node', 'apps/api/dist/main.js'],
  migrateCommand: ['node', 'apps/api/dist/migrate.js'],
  port: 3000,
  healthPath: '/health',
} as const;
