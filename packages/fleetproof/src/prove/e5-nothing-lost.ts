import pg from 'pg';
import { startWriters, type WriteLedger } from './acknowledged-writes.js';
import { nextVersion } from './e3-zero-downtime-deploy.js';
import { ExperimentFleet } from './experiment-fleet.js';
import type { Check, ExperimentFindings, ProveContext } from './types.js';

const WRITERS = 4;

/**
 * E5: every POST the service acknowledged is in the database afterwards, and no row exists that was neither
 * acknowledged nor in flight when its request failed; across a crash (SIGKILL) and an instance refresh.
 * The table is apps/api's `logs` (one row per POST /).
 */
export async function nothingLost(context: ProveContext): Promise<ExperimentFindings> {
  const before = await queryIds(context.databaseUrl, 'SELECT coalesce(max(id), 0)::int AS id FROM logs');
  const baseline = before[0] ?? 0;
  const fleet = await ExperimentFleet.start(context, {
    label: 'E5 nothing lost',
    setup: `2 instances, ${WRITERS} writers; one instance SIGKILLed, then a deploy`,
    override: { scaling: { min: 2, max: 2, desired: 2, enabled: false } },
  });
  let ledger: WriteLedger | undefined;
  let killed = '';
  const settleMs = context.quick ? 2000 : 4000;
  try {
    const writers = startWriters(`${fleet.listenerUrl}/`, WRITERS, fleet.recording.startedAt);
    try {
      await new Promise((r) => setTimeout(r, settleMs));
      const victim = fleet.fleet.group.status().instances[0];
      if (victim) {
        killed = victim.id;
        context.progress(`E5 nothing lost: SIGKILL ${victim.id} with writes in flight`);
        process.kill(victim.pid, 'SIGKILL');
      }
      const healthy = () =>
        fleet.fleet.balancer.group.all().filter((t) => t.state === 'healthy' && t.id !== killed).length >= 2;
      await fleet.until('a replacement to be healthy', healthy, 60_000);
      const refresh = fleet.fleet.group.startRefresh(nextVersion(context.config.service.version));
      await fleet.until(
        'the deploy to end',
        () => fleet.fleet.group.refreshStatus(refresh.id)?.status !== 'in-progress',
        90_000,
      );
      await new Promise((r) => setTimeout(r, settleMs));
    } finally {
      ledger = await writers.stop();
    }
  } finally {
    await fleet.stop();
  }
  const rows = await queryIds(context.databaseUrl, `SELECT id FROM logs WHERE id > ${baseline} ORDER BY id`);
  const stored = new Set(rows);
  const acked = new Set(ledger.acknowledged);
  const missing = ledger.acknowledged.filter((id) => !stored.has(id));
  const unexplained = rows.filter((id) => !acked.has(id));
  const checks: Check[] = [
    {
      label: 'every acknowledged POST is in the database',
      passed: missing.length === 0 && ledger.acknowledged.length > 0,
      measured: `${ledger.acknowledged.length - missing.length} of ${ledger.acknowledged.length} found${missing.length ? `; missing ids ${missing.slice(0, 10).join(', ')}` : ''}`,
    },
    {
      label: 'no row beyond the acknowledged and the in-flight',
      passed: unexplained.length <= ledger.unacknowledged,
      measured: `${unexplained.length} row(s) from unacknowledged requests, ${ledger.unacknowledged} request(s) ended without an answer or with an error`,
    },
  ];
  const seconds = [...ledger.perSecond.keys()].sort((a, b) => a - b);
  fleet.recording.extraSeries = [
    {
      title: 'Writes per second',
      unit: 'POST/s',
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
  return {
    id: 'E5',
    title: 'Nothing lost',
    origin:
      'Neither report checked the data: a deploy or a crash that silently drops writes would still have looked green.',
    checks,
    columns: ['POSTs', 'acknowledged', 'found', 'missing', 'unacknowledged', 'rows from unacknowledged'],
    rows: [
      {
        label: 'here',
        values: [
          String(ledger.acknowledged.length + ledger.unacknowledged),
          String(ledger.acknowledged.length),
          String(ledger.acknowledged.length - missing.length),
          String(missing.length),
          String(ledger.unacknowledged),
          String(unexplained.length),
        ],
      },
    ],
    runs: [fleet.recording],
    mapped: [],
    explanation: [
      `${WRITERS} clients POST / in a loop through the balancer. ${killed ? `${killed} is SIGKILLed ${settleMs / 1000} s in (a crash: its in-flight requests fail with 502)` : 'no instance could be killed'}; once a replacement is healthy, the group is refreshed to a new version (graceful: draining, then SIGTERM).`,
      'Afterwards every id the service acknowledged is looked up in the database. A request that failed may still have committed (the crash came after the insert, before the answer): such rows are allowed, up to the number of requests that ended without an answer.',
    ],
  };
}

async function queryIds(databaseUrl: string, sql: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ id: number }>(sql);
    return result.rows.map((r) => Number(r.id));
  } finally {
    await client.end();
  }
}
