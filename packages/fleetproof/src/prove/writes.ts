import type { WriteConfig, WritesSettings } from '../config/proof-schema.js';
import { nextVersion } from './deploy.js';
import { ExperimentFleet } from './experiment-fleet.js';
import { referenceRows } from './reference-rows.js';
import { serviceLevelFor } from './service-level.js';
import type { Check, ExperimentFindings, ProveContext } from './types.js';
import { readBack, startWriters, usesToken, type WriteLedger } from './write-audit.js';

export interface WritesRecording {
  ledger: Pick<WriteLedger, 'acknowledged' | 'unacknowledged' | 'noIdExample'>;
  /** The write carried a unique token, so a read-back showed that write, not only some 2xx. */
  tokenChecked: boolean;
  missing: string[];
  statuses: Record<string, number>;
  crashed: boolean;
  refreshStatus: string;
}

/** The verdict: writes were acknowledged through a crash and a deploy, and every one reads back. */
export function judgeWrites(rec: WritesRecording, write: WriteConfig): Check[] {
  const acked = rec.ledger.acknowledged.length;
  const how = write.readBack.sql
    ? `from the database${rec.tokenChecked && /\$2\b/.test(write.readBack.sql) ? ' with its token' : ''}`
    : `by ${write.readBack.request?.method} ${write.readBack.request?.url}`;
  return [
    {
      label: 'the service acknowledged writes through a crash and a deploy',
      passed: acked > 0 && rec.crashed && rec.refreshStatus === 'successful',
      measured: `${acked} acknowledged with an id at ${write.id}, ${rec.ledger.unacknowledged} not${rec.ledger.noIdExample ? ` (a 2xx without an id: ${JSON.stringify(rec.ledger.noIdExample)})` : ''}; crash ${rec.crashed ? 'done' : 'not done'}, deploy ${rec.refreshStatus}`,
    },
    {
      label: `every acknowledged write reads back ${how}${rec.tokenChecked && !write.readBack.sql ? ', showing its own token' : ''}`,
      passed: acked > 0 && rec.missing.length === 0,
      measured: `${acked - rec.missing.length} of ${acked} found${rec.missing.length ? `; missing ids ${rec.missing.slice(0, 8).join(', ')}${rec.missing.length > 8 ? ', …' : ''}` : ''} (answers: ${Object.entries(
        rec.statuses,
      )
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ')})`,
    },
  ];
}

export const COLUMNS = ['writes', 'acknowledged', 'read back', 'missing', 'unacknowledged'];

/**
 * `writes`: writers send proof.write's request through the balancer while one instance is SIGKILLed and the
 * group is then refreshed to a new version; afterwards every acknowledged id is read back, through the
 * balancer (any instance may answer, as on AWS) or from the database.
 */
export async function writes(context: ProveContext, settings: WritesSettings): Promise<ExperimentFindings> {
  const write = context.proof.write as WriteConfig;
  const sl = serviceLevelFor(context.proof, settings.serviceLevel);
  const settleMs = Math.max(1500, 4000 * context.durationFactor);
  const fleet = await ExperimentFleet.start(context, {
    label: 'writes',
    setup: `2 instances, ${settings.writers} writers; one instance SIGKILLed, then a deploy`,
    override: {
      instance: settings.instance ?? {},
      scaling: { min: 2, max: 2, desired: 2, enabled: false },
      balancer: settings.balancer ?? {},
    },
    instanceEnv: settings.env,
  });
  let ledger: WriteLedger | undefined;
  let crashed = false;
  let refreshStatus = 'not started';
  let found: { missing: string[]; statuses: Record<string, number> } = { missing: [], statuses: {} };
  try {
    const writers = startWriters(write, fleet.listenerUrl, settings.writers, fleet.recording.startedAt);
    try {
      await new Promise((r) => setTimeout(r, settleMs));
      const victim = fleet.fleet.group.status().instances.find((i) => i.health === 'healthy');
      if (victim) {
        context.progress(`writes: SIGKILL ${victim.id} with writes in flight`);
        process.kill(-victim.pid, 'SIGKILL');
        crashed = true;
        const healthy = () =>
          fleet.fleet.balancer.group.all().filter((t) => t.state === 'healthy' && t.id !== victim.id)
            .length >= 2;
        await fleet.until('a replacement to be healthy', healthy, 60_000);
      }
      const refresh = fleet.fleet.group.startRefresh(nextVersion(context.config.service.version));
      await fleet.until(
        'the deploy to end',
        () => fleet.fleet.group.refreshStatus(refresh.id)?.status !== 'in-progress',
        90_000,
      );
      refreshStatus = fleet.fleet.group.refreshStatus(refresh.id)?.status ?? 'unknown';
      await new Promise((r) => setTimeout(r, settleMs));
    } finally {
      ledger = await writers.stop();
    }
    context.progress(`writes: reading back ${ledger.acknowledged.length} acknowledged write(s)`);
    found = await readBack(write, ledger.acknowledged, fleet.listenerUrl, context.databaseUrl);
  } finally {
    await fleet.stop();
  }
  const rec: WritesRecording = {
    ledger,
    tokenChecked: usesToken(write),
    missing: found.missing,
    statuses: found.statuses,
    crashed,
    refreshStatus,
  };
  const seconds = [...ledger.perSecond.keys()].sort((a, b) => a - b);
  fleet.recording.extraSeries = [
    {
      title: 'Writes per second',
      unit: 'writes/s',
      x: seconds,
      lines: [
        {
          label: 'acknowledged (2xx with id)',
          values: seconds.map((s) => ledger?.perSecond.get(s)?.[0] ?? 0),
        },
        { label: 'unacknowledged', values: seconds.map((s) => ledger?.perSecond.get(s)?.[1] ?? 0) },
      ],
    },
  ];
  const acked = ledger.acknowledged.length;
  return {
    id: 'writes',
    title: 'Nothing lost',
    origin:
      settings.about ?? 'Is every write the service acknowledged still there after a crash and a deploy?',
    load: `${settings.writers} writers sending ${write.request.method} ${write.request.url} in a loop`,
    serviceLevel: sl,
    overrides: [
      {
        section: 'scaling',
        value: '2, scaling off',
        why: 'two instances: one crashes while the other serves, then both are replaced',
      },
    ],
    checks: judgeWrites(rec, write),
    columns: COLUMNS,
    rows: [
      {
        label: 'here',
        values: [
          String(acked + ledger.unacknowledged),
          String(acked),
          String(acked - found.missing.length),
          String(found.missing.length),
          String(ledger.unacknowledged),
        ],
      },
      ...referenceRows(COLUMNS, settings.reference),
    ],
    runs: [fleet.recording],
    mapped: [],
    explanation: [
      `${settings.writers} clients send ${write.request.method} ${write.request.url} through the balancer; each 2xx answer's id (${write.id}) is noted. One instance is SIGKILLed (its in-flight writes fail: they may or may not have been stored, and are not counted as acknowledged); once a replacement is healthy the group is refreshed to a new version (draining, then SIGTERM).`,
      `Afterwards every acknowledged id is read back ${write.readBack.sql ? `with ${JSON.stringify(write.readBack.sql)}` : `with ${write.readBack.request?.method} ${write.readBack.request?.url} through the balancer (any instance may answer it, as on AWS)`}.`,
    ],
  };
}
