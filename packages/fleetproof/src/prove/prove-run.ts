import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetproofConfig } from '../config/schema.js';
import { TIMING_PROFILES } from '../config/timing-profiles.js';
import { databaseEnv, openProjectDatabase } from '../db/project-database.js';
import { FleetError } from '../errors.js';
import { runStamp } from '../metrics/run-folder.js';
import { stateDir } from '../project.js';
import { renderReport } from '../report/html-report.js';
import { singleVersusFleet } from './e1-single-vs-fleet.js';
import { blockingHandler } from './e2-blocking-handler.js';
import { zeroDowntimeDeploy } from './e3-zero-downtime-deploy.js';
import { scaleOutAndIn } from './e4-scale-out-and-in.js';
import { nothingLost } from './e5-nothing-lost.js';
import type { ExperimentFindings, ExperimentId, ExperimentResult, ProveContext } from './types.js';

export const EXPERIMENTS: Record<
  ExperimentId,
  { title: string; run: (c: ProveContext) => Promise<ExperimentFindings> }
> = {
  E1: { title: 'Single instance vs fleet', run: singleVersusFleet },
  E2: { title: 'The blocking-handler pitfall', run: blockingHandler },
  E3: { title: 'Zero-downtime deploy', run: zeroDowntimeDeploy },
  E4: { title: 'Scale out and back in', run: scaleOutAndIn },
  E5: { title: 'Nothing lost', run: nothingLost },
};

export function isExperimentId(value: string): value is ExperimentId {
  return Object.hasOwn(EXPERIMENTS, value);
}

export interface ProveOptions {
  root: string;
  config: FleetproofConfig;
  quick: boolean;
  only: ExperimentId[];
  progress: (text: string) => void;
  say: (text: string) => void;
  /** Called as each experiment ends (the CLI prints its verdict at once). */
  onResult?: (result: ExperimentResult) => void;
}

export interface ProveOutcome {
  results: ExperimentResult[];
  dir: string;
  reportPath: string;
  jsonPath: string;
  durationMs: number;
}

/**
 * Runs the selected experiments one after another (they measure CPU: running two at once on a small machine
 * would spoil both), on one database, and writes prove.json and report.html to .fleetproof/runs/prove-<time>/.
 */
export async function runProve(options: ProveOptions): Promise<ProveOutcome> {
  const started = Date.now();
  const { config } = options;
  if (!config.database.migrateCommand)
    throw new FleetError(
      'FLEET_ERR_CONFIG',
      'prove needs database.migrateCommand: the experiments write rows',
    );
  const database = await openProjectDatabase(options.root, databaseEnv(config.database), options.say);
  const results: ExperimentResult[] = [];
  try {
    const context: ProveContext = {
      root: options.root,
      config,
      databaseUrl: database.url,
      quick: options.quick,
      fast: TIMING_PROFILES.fast,
      aws: TIMING_PROFILES.aws,
      progress: options.progress,
      say: options.say,
    };
    for (const id of options.only) {
      const experimentStarted = Date.now();
      const findings = await EXPERIMENTS[id].run(context);
      const result: ExperimentResult = {
        ...findings,
        passed: findings.checks.every((c) => c.passed),
        durationMs: Date.now() - experimentStarted,
      };
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    await database.stop();
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
