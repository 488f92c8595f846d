import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadRef, type ProofConfig, proofSchema, type ReferenceRow } from '../config/proof-schema.js';
import type { FleetproofConfig } from '../config/schema.js';
import { TIMING_PROFILES } from '../config/timing-profiles.js';
import { databaseEnv, openProjectDatabase, type ProjectDatabase } from '../db/project-database.js';
import { FleetError } from '../errors.js';
import { runStamp } from '../metrics/run-folder.js';
import { stateDir } from '../project.js';
import { renderReport } from '../report/html-report.js';
import { isPortFree } from '../util/free-port.js';
import { capacity, COLUMNS as capacityColumns } from './capacity.js';
import { crash, COLUMNS as crashColumns } from './crash.js';
import { deploy, COLUMNS as deployColumns } from './deploy.js';
import { faults, COLUMNS as faultsColumns } from './faults.js';
import { type ProofLoad, readProofLoad } from './proof-load.js';
import { referenceRows } from './reference-rows.js';
import { scale, COLUMNS as scaleColumns } from './scale.js';
import {
  EXPERIMENT_NAMES,
  type ExperimentFindings,
  type ExperimentId,
  type ExperimentResult,
  type ProveContext,
} from './types.js';
import { variant, COLUMNS as variantColumns } from './variant.js';
import { writes, COLUMNS as writesColumns } from './writes.js';

interface ExperimentEntry {
  title: string;
  /** Its figure table's columns (reference rows from the config must use these). */
  columns: readonly string[];
  /** What it proves, one line for `prove --list`. */
  summary: string;
  /** Its settings when the config enables it, else undefined (with why, for --list). */
  settings(proof: ProofConfig): { settings?: object; off?: string };
  run(context: ProveContext, settings: never, load: ProofLoad): Promise<ExperimentFindings>;
}

const on = <T extends object>(value: T | false | undefined, name: string) =>
  value === false ? { off: `proof.experiments.${name} is false` } : { settings: value ?? {} };

/** The generic experiments; each reads its own settings from proof.experiments.<name>. */
export const EXPERIMENTS: Record<ExperimentId, ExperimentEntry> = {
  capacity: {
    columns: capacityColumns,
    title: 'Capacity: one instance against the fleet',
    summary:
      'the load ramped against one instance until it breaks the service level; the fleet must hold that load',
    settings: (p) => on(p.experiments.capacity, 'capacity'),
    run: capacity as ExperimentEntry['run'],
  },
  scale: {
    columns: scaleColumns,
    title: 'Scale out and back in',
    summary:
      'CPU over target: scale out, the service level once the new instance serves, scale in failing nothing',
    settings: (p) => on(p.experiments.scale, 'scale'),
    run: scale as ExperimentEntry['run'],
  },
  deploy: {
    columns: deployColumns,
    title: 'Zero-downtime deploy',
    summary: 'an instance refresh to the next version under load: 0 failed requests, requests by version',
    settings: (p) => on(p.experiments.deploy, 'deploy'),
    run: deploy as ExperimentEntry['run'],
  },
  crash: {
    columns: crashColumns,
    title: 'An instance crashes under load',
    summary:
      'one instance SIGKILLed: failures bounded by its own requests, none after detection, a healthy replacement',
    settings: (p) => on(p.experiments.crash, 'crash'),
    run: crash as ExperimentEntry['run'],
  },
  writes: {
    columns: writesColumns,
    title: 'Nothing lost',
    summary: 'every acknowledged write of proof.write read back after a crash and a deploy',
    settings: (p) =>
      p.write === undefined ? { off: 'no proof.write configured' } : on(p.experiments.writes, 'writes'),
    run: ((c: ProveContext, s: never) => writes(c, s)) as ExperimentEntry['run'],
  },
  variant: {
    columns: variantColumns,
    title: 'Variants of the service',
    summary: 'the same load against instance environments that differ, with the checks the config states',
    settings: (p) =>
      p.experiments.variant
        ? { settings: p.experiments.variant }
        : { off: 'no proof.experiments.variant configured' },
    run: variant as ExperimentEntry['run'],
  },
  faults: {
    columns: faultsColumns,
    title: 'Faults: what AWS Fault Injection Service tests',
    summary:
      'hang, az-outage, launch-failure, db-restart, db-latency under load, each on its own fleet with its own checks',
    settings: (p) =>
      p.experiments.faults
        ? { settings: p.experiments.faults }
        : { off: 'no proof.experiments.faults configured' },
    run: faults as ExperimentEntry['run'],
  },
};

/** The config's proof section, or one made from its only scenario; otherwise a clear refusal. */
export function proofOf(config: FleetproofConfig): ProofConfig {
  if (config.proof) return config.proof;
  const names = Object.keys(config.scenarios);
  if (names.length > 0) return proofSchema.parse({ load: { scenario: names[0] } });
  throw new FleetError(
    'FLEET_ERR_CONFIG',
    'prove needs a load: add a proof section, e.g. proof: { load: { scenario: "NAME" } } or { script: "load.js" }, or a scenario in scenarios (npx fleetproof init writes both)',
  );
}

/** Which experiments this config runs, and why each other one does not. */
export function plannedExperiments(
  proof: ProofConfig,
): { id: ExperimentId; settings?: object; off?: string }[] {
  return EXPERIMENT_NAMES.map((id) => ({ id, ...EXPERIMENTS[id].settings(proof) }));
}

export interface ProveOptions {
  root: string;
  config: FleetproofConfig;
  quick: boolean;
  /** Experiments to run (default: every one the config enables). */
  only?: ExperimentId[];
  progress: (text: string) => void;
  say: (text: string) => void;
  /** Called as each experiment ends (the CLI prints its verdict at once). */
  onResult?: (result: ExperimentResult) => void;
  /** Called as each experiment fleet starts (the live dashboard follows it). */
  onRun?: ProveContext['onRun'];
}

export interface ProveOutcome {
  results: ExperimentResult[];
  dir: string;
  reportPath: string;
  jsonPath: string;
  durationMs: number;
}

/** --quick: every load's durations × this. */
export const QUICK_FACTOR = 0.6;

/**
 * Runs the selected experiments one after another (they measure CPU: running two at once on a small machine
 * would spoil both), on one database, and writes prove.json and report.html to .fleetproof/runs/prove-<time>/.
 */
export async function runProve(options: ProveOptions): Promise<ProveOutcome> {
  const started = Date.now();
  const { config } = options;
  const proof = proofOf(config);
  const planned = plannedExperiments(proof);
  const wanted = options.only ?? planned.filter((p) => p.settings).map((p) => p.id);
  const selected = planned.filter((p) => wanted.includes(p.id));
  const refused = selected.filter((p) => !p.settings);
  if (refused.length > 0)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--only: ${refused.map((p) => `${p.id} is off (${p.off})`).join('; ')}`,
    );

  // Read every load before starting anything: a script fleetproof cannot run is refused up front.
  const loads = new Map<string, ProofLoad>();
  const loadFor = async (ref: LoadRef | undefined) => {
    const r = ref ?? proof.load;
    const key = JSON.stringify(r);
    if (!loads.has(key)) loads.set(key, await readProofLoad(options.root, config, r));
    return loads.get(key) as ProofLoad;
  };
  for (const p of selected) {
    await loadFor((p.settings as { load?: LoadRef }).load);
    referenceRows(EXPERIMENTS[p.id].columns, (p.settings as { reference?: ReferenceRow[] }).reference);
  }

  let database: ProjectDatabase | undefined;
  if (config.database)
    database = await openProjectDatabase(options.root, databaseEnv(config.database), options.say);
  const balancerPort = (await isPortFree(config.balancer.port, '127.0.0.1')) ? config.balancer.port : 0;
  if (balancerPort === 0)
    options.say(
      `balancer.port ${config.balancer.port} is in use (a fleetproof up?): experiments listen on free ports; a script with absolute URLs to :${config.balancer.port} would miss them`,
    );
  const results: ExperimentResult[] = [];
  try {
    const context: ProveContext = {
      root: options.root,
      config,
      proof,
      databaseUrl: database?.url,
      balancerPort,
      quick: options.quick,
      durationFactor: options.quick ? QUICK_FACTOR : 1,
      fast: TIMING_PROFILES.fast,
      aws: TIMING_PROFILES.aws,
      progress: options.progress,
      say: options.say,
      ...(options.onRun ? { onRun: options.onRun } : {}),
    };
    for (const p of selected) {
      const experimentStarted = Date.now();
      const load = await loadFor((p.settings as { load?: LoadRef }).load);
      const findings = await EXPERIMENTS[p.id].run(context, p.settings as never, load);
      const result: ExperimentResult = {
        ...findings,
        passed: findings.checks.every((c) => c.passed),
        durationMs: Date.now() - experimentStarted,
      };
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    await database?.stop();
  }
  const dir = join(stateDir(options.root), 'runs', `prove-${runStamp(started)}`);
  mkdirSync(dir, { recursive: true });
  const durationMs = Date.now() - started;
  const meta = { startedAt: started, durationMs, quick: options.quick, config };
  const jsonPath = join(dir, 'prove.json');
  writeFileSync(jsonPath, `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  const reportPath = join(dir, 'report.html');
  writeFileSync(reportPath, renderReport({ ...meta, results }));
  return { results, dir, reportPath, jsonPath, durationMs };
}
