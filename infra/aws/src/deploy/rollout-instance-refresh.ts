import {
  type AutoScalingClient,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import type { FleetproofAwsSettings } from '../aws-settings.js';
import { AwsDeployError, sleep } from './aws-context.js';

export interface RolloutOptions {
  settings: FleetproofAwsSettings;
  say: (line: string) => void;
  /** Between status polls. @default 15 s */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DONE_OK = new Set(['Successful']);
const DONE_BAD = new Set(['Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed', 'Baseline_Failed']);

/**
 * Starts an instance refresh with the config's rollout preferences and reports it until it ends. The launch
 * template is unchanged (the version lives in an SSM parameter), so SkipMatching must be off: every instance
 * is replaced and boots the new tag. Resolves with the final status; throws when it did not succeed.
 */
export async function rolloutByInstanceRefresh(
  autoscaling: Pick<AutoScalingClient, 'send'>,
  groupName: string,
  o: RolloutOptions,
): Promise<string> {
  const s = o.settings;
  const { InstanceRefreshId: id } = await autoscaling.send(
    new StartInstanceRefreshCommand({
      AutoScalingGroupName: groupName,
      Strategy: 'Rolling',
      Preferences: {
        MinHealthyPercentage: s.minHealthyPercent,
        MaxHealthyPercentage: s.maxHealthyPercent,
        InstanceWarmup: s.instanceWarmupSeconds,
        SkipMatching: false,
        AutoRollback: s.autoRollback,
      },
    }),
  );
  if (!id) throw new AwsDeployError(`StartInstanceRefresh on ${groupName} returned no id`);
  o.say(
    `refresh ${id} started on ${groupName} (min ${s.minHealthyPercent}%, max ${s.maxHealthyPercent}% healthy)`,
  );
  let last = '';
  for (;;) {
    const { InstanceRefreshes } = await autoscaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: groupName, InstanceRefreshIds: [id] }),
    );
    const refresh = InstanceRefreshes?.[0];
    const status = refresh?.Status ?? 'Unknown';
    const line = `refresh ${status} ${refresh?.PercentageComplete ?? 0}%${refresh?.StatusReason ? ` · ${refresh.StatusReason}` : ''}`;
    if (line !== last) o.say(line);
    last = line;
    if (DONE_OK.has(status)) return status;
    if (DONE_BAD.has(status))
      throw new AwsDeployError(
        `instance refresh ${id} ended ${status}${refresh?.StatusReason ? `: ${refresh.StatusReason}` : ''}`,
      );
    await (o.sleep ?? sleep)(o.pollMs ?? 15_000);
  }
}
