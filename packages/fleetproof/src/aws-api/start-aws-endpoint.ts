import type { FleetproofConfig } from '../config/schema.js';
import type { RunRecording } from '../prove/types.js';
import { awsRegion, type Fleet } from '../runtime/fleet-runtime.js';
import { AwsEndpoint } from './aws-endpoint.js';
import { localNames } from './local-names.js';

/** `up`'s AWS endpoint for its fleet: names from the service, the region and the run; on loopback. */
export async function startAwsEndpoint(
  fleet: Fleet,
  config: FleetproofConfig,
  recording: Pick<RunRecording, 'fleet' | 'startedAt'>,
  port: number | undefined,
): Promise<{ url: string; endpoint: AwsEndpoint; region: string }> {
  const region = awsRegion(config);
  const endpoint = new AwsEndpoint(
    {
      names: localNames(config.service.name, region, fleet.run.runId),
      fleet,
      config,
      recording,
      parameters: new Map(),
      createdAt: new Date(recording.startedAt),
    },
    fleet.listenerUrl,
  );
  return { url: await endpoint.listen(port ?? 0), endpoint, region };
}
