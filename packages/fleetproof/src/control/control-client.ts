import { FleetError } from '../errors.js';
import { type RunInfo, readCurrentRun } from '../metrics/run-folder.js';
import { isProcessAlive } from '../util/process-alive.js';

/** The running fleet of this project, from .fleetproof/current; fails clearly when there is none. */
export function currentRun(stateDir: string): RunInfo {
  const run = readCurrentRun(stateDir);
  if (!run || !isProcessAlive(run.pid)) {
    throw new FleetError(
      'FLEET_ERR_NOT_RUNNING',
      'no fleet is running for this project: start one with `npx fleetproof up`',
    );
  }
  return run;
}

export async function control<T>(
  run: RunInfo,
  method: 'GET' | 'POST',
  path: string,
  body?: object,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${run.controlUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${run.token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    throw new FleetError(
      'FLEET_ERR_NOT_RUNNING',
      `control API at ${run.controlUrl} did not answer: ${(error as Error).message}`,
    );
  }
  const text = await res.text();
  const parsed = text
    ? (JSON.parse(text) as T & { error?: string; code?: string })
    : ({} as T & { error?: string });
  if (!res.ok) {
    const code = (parsed as { code?: string }).code;
    if (code === 'FLEET_ERR_REFRESH_IN_PROGRESS' || code === 'FLEET_ERR_USAGE')
      throw new FleetError(code, parsed.error ?? text);
    throw new FleetError('FLEET_ERR_CONTROL', `${method} ${path}: ${res.status} ${parsed.error ?? text}`);
  }
  return parsed;
}
