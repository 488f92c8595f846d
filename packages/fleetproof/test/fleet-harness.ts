import { join } from 'node:path';
import { createEmptyDatabase } from '../../../test/databases.js';
import type { FleetproofConfigInput } from '../src/config/schema.js';
import { validateConfig } from '../src/config/validate.js';
import type { FleetEvent } from '../src/fleet/auto-scaling-group.js';
import { type Fleet, startFleet, waitForHealthy } from '../src/runtime/fleet-runtime.js';

export const REPO = join(import.meta.dirname, '..', '..', '..');

/** The reference API as a fleet on a fresh test database, fast timings, listener on a free port. */
export async function startApiFleet(
  over: Partial<FleetproofConfigInput> = {},
  instanceEnv: Record<string, string> = {},
) {
  const config = validateConfig({
    service: {
      name: 'api',
      command: ['node', 'apps/api/dist/main.js'],
      port: 3000,
      version: 'V1',
      env: { LOG_LEVEL: 'warn', SHUTDOWN_DELAY_MS: '200' },
    },
    database: { mode: 'url', url: 'postgres://unused', migrateCommand: ['node', 'apps/api/dist/migrate.js'] },
    instance: { cpus: 1, memoryMiB: 512 },
    healthCheck: { path: '/health', matcher: '200', healthyThreshold: 2, unhealthyThreshold: 2 },
    timing: { profile: 'fast' },
    ...over,
  });
  const events: FleetEvent[] = [];
  const fleet = await startFleet({
    root: REPO,
    config,
    databaseUrl: await createEmptyDatabase(),
    balancerPort: 0,
    instanceEnv,
    onEvent: (e) => events.push(e),
  });
  return { fleet, config, events };
}

export interface Sample {
  at: number;
  status: number;
  instance: string;
  message: string;
}

/**
 * Closed-loop GET traffic with `workers` concurrent clients until stop() (bounded: at most `maxMs`).
 * Every response is kept, with the instance that served it (X-Instance-Id).
 */
export function steadyLoad(url: string, workers = 4, maxMs = 60_000) {
  const samples: Sample[] = [];
  let running = true;
  const deadline = Date.now() + maxMs;
  const worker = async () => {
    while (running && Date.now() < deadline) {
      const at = Date.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        let message = '';
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? '';
        } catch {
          message = text.slice(0, 40);
        }
        samples.push({ at, status: res.status, instance: res.headers.get('x-instance-id') ?? '', message });
      } catch (error) {
        samples.push({ at, status: 0, instance: '', message: (error as Error).message });
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
      return samples;
    },
  };
}

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { type Fleet, waitForHealthy };
