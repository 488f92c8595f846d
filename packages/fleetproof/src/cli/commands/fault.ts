import { parseArgs } from 'node:util';
import { control, currentRun } from '../../control/control-client.js';
import { FleetError } from '../../errors.js';
import { type HangEvent, hangOutcome, hangSettled } from '../../fleet/hang-outcome.js';
import { findProjectRoot, stateDir } from '../../project.js';
import { bold, dim, green, line, red } from '../output.js';

const FOLLOW_MS = 120_000;

/** `fleetproof fault hang [--instance ID]`: SIGSTOP one instance, then follow until it is found and replaced. */
export async function faultCommand(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind !== 'hang') {
    throw new FleetError('FLEET_ERR_USAGE', `fault: got ${JSON.stringify(kind ?? '')}, expected hang`);
  }
  const { values } = parseArgs({ args: rest, options: { instance: { type: 'string' } }, strict: true });
  const info = currentRun(stateDir(findProjectRoot()));
  const hung = await control<{ instanceId: string; at: number; detectionBoundMs: number }>(
    info,
    'POST',
    '/fault/hang',
    values.instance ? { instance: values.instance } : {},
  );
  const bound = hung.detectionBoundMs;
  line(
    `${bold('hang')} ${hung.instanceId}: SIGSTOP; the health checks must mark it unhealthy within ${(bound / 1000).toFixed(1)} s (unhealthy threshold × interval + timeout)`,
  );
  const seen: HangEvent[] = [];
  let since = hung.at - 1;
  const deadline = Date.now() + FOLLOW_MS;
  let outcome = hangOutcome(seen, hung.instanceId, hung.at);
  while (!hangSettled(outcome) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const events = await control<(HangEvent & { message: string })[]>(info, 'GET', `/events?since=${since}`);
    for (const e of events) {
      since = Math.max(since, e.t);
      seen.push(e);
      line(
        `${dim(`${((e.t - hung.at) / 1000).toFixed(1).padStart(6)}s`)} ${e.reason.padEnd(32)} ${e.message}`,
      );
    }
    outcome = hangOutcome(seen, hung.instanceId, hung.at);
  }
  const s = (ms: number | undefined) =>
    ms === undefined ? 'not within 120 s' : `${(ms / 1000).toFixed(1)} s`;
  const inBound = outcome.detectedAfterMs !== undefined && outcome.detectedAfterMs <= bound;
  const summary = `unhealthy after ${s(outcome.detectedAfterMs)} (bound ${(bound / 1000).toFixed(1)} s), terminated after ${s(outcome.terminatedAfterMs)}, replaced after ${s(outcome.replacedAfterMs)}`;
  if (inBound && hangSettled(outcome)) {
    line(green(`${hung.instanceId} ${summary}`));
    return 0;
  }
  line(red(`${hung.instanceId} ${summary}`));
  throw new FleetError(
    'FLEET_ERR_VERDICT',
    `the hung instance was not found and replaced as required: ${summary}`,
  );
}
