import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TimingProfileName } from '../config/timing-profiles.js';
import { currentRun } from '../control/control-client.js';
import { FleetError } from '../errors.js';
import { stateDir } from '../project.js';

export interface LocalEndpointInfo {
  readonly url: string;
  readonly region: string;
  /** The running fleet's timing profile: a rollout against it waits its warmups, not AWS's. */
  readonly timing: TimingProfileName;
}

/** The AWS endpoint of this project's running `fleetproof up` (`aws deploy --endpoint local`). */
export function localAwsEndpoint(root: string): LocalEndpointInfo {
  const run = currentRun(stateDir(root));
  try {
    return JSON.parse(
      readFileSync(join(stateDir(root), 'runs', run.runId, 'aws-endpoint.json'), 'utf8'),
    ) as LocalEndpointInfo;
  } catch {
    throw new FleetError(
      'FLEET_ERR_NOT_RUNNING',
      `the running fleet (${run.runId}) serves no AWS endpoint: restart it with a fleetproof that has one (npx fleetproof up)`,
    );
  }
}
