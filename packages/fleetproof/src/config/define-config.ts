import type { FleetproofConfigInput } from './schema.js';

/** Typed helper for fleetproof.config.ts; validation happens when fleetproof loads the file. */
export function defineConfig(config: FleetproofConfigInput): FleetproofConfigInput {
  return config;
}
