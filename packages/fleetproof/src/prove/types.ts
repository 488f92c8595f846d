import type { ProofConfig } from '../config/proof-schema.js';
import type { FleetproofConfig } from '../config/schema.js';
import type { TimingProfile } from '../config/timing-profiles.js';
import type { LoadSummary, SeriesSecond } from '../load/load-metrics.js';
import type { SeriesPoint } from '../metrics/series-sampler.js';
import type { Fleet } from '../runtime/fleet-runtime.js';

/** The generic experiments, in the order prove runs them. */
export const EXPERIMENT_NAMES = [
  'capacity',
  'scale',
  'deploy',
  'crash',
  'writes',
  'variant',
  'faults',
] as const;
export type ExperimentId = (typeof EXPERIMENT_NAMES)[number];

/** A config section an experiment changes for its fleets, and why (shown in the report). */
export interface Override {
  section: string;
  value: string;
  why: string;
}

/** The service level an experiment judges by (its own, else proof.serviceLevel, else the defaults). */
export interface ServiceLevel {
  p99Ms: number;
  maxErrorRate: number;
}

/** One measured claim behind a verdict: what was required, and what was measured. */
export interface Check {
  label: string;
  passed: boolean;
  measured: string;
}

/** A compressed duration and what it means with AWS's default timings (see time-mapping.ts). */
export interface MappedDuration {
  label: string;
  measuredMs: number;
  awsMs: number;
  explanation: string;
}

export interface TimelineEvent {
  /** ms from the start of the run it belongs to. */
  t: number;
  reason: string;
  message: string;
  /** The event's data (instance, zone, cause…): what the fault judges read. */
  data?: Record<string, unknown>;
}

/** Per-second fleet figures, relative to the run's start. */
export type FleetSecond = Omit<SeriesPoint, 't'> & { t: number };

/** A load second, relative to the run's start (the load may start later than the fleet). */
export type LoadSecond = SeriesSecond & { t: number };

/** One fleet + load run inside an experiment (E1 and E2 have two: before and after). */
export interface RunRecording {
  label: string;
  /** What was different about this run (instance size, CPU mode, scaling). */
  setup: string;
  startedAt: number;
  durationMs: number;
  /** The fleet's own run folder (events, series, instance logs). */
  runDir: string;
  fleet: FleetSecond[];
  load: LoadSecond[];
  events: TimelineEvent[];
  summary: LoadSummary | undefined;
  /** Extra per-run series an experiment adds (E3's version share, E5's writes), keyed by chart title. */
  extraSeries?: ExtraSeries[];
}

export interface ExtraSeries {
  title: string;
  unit: string;
  /** x = seconds from run start. */
  x: number[];
  lines: { label: string; values: (number | null)[] }[];
}

export interface FigureRow {
  label: string;
  values: string[];
}

/** What an experiment returns: its measurements and checks. The runner adds the verdict and the time. */
export type ExperimentFindings = Omit<ExperimentResult, 'passed' | 'durationMs'>;

export interface ExperimentResult {
  id: ExperimentId;
  title: string;
  /** Where the experiment comes from and what it claimed (from the config's `about`), or what it shows. */
  origin: string;
  /** The load it drove, in words. */
  load: string;
  serviceLevel: ServiceLevel;
  overrides: Override[];
  /** Every check passed. */
  passed: boolean;
  checks: Check[];
  /** A table of the experiment's figures (columns named in `columns`). */
  columns: string[];
  rows: FigureRow[];
  runs: RunRecording[];
  mapped: MappedDuration[];
  /** Why the result looks the way it does, for the report. */
  explanation: string[];
  durationMs: number;
}

export interface ProveContext {
  root: string;
  config: FleetproofConfig;
  proof: ProofConfig;
  /** The shared database of every experiment's fleets; undefined when the service has none. */
  databaseUrl: string | undefined;
  /** The listener's port for every experiment: balancer.port when free, else 0 (any). */
  balancerPort: number;
  quick: boolean;
  /** Multiplies every load duration: 1, or less with --quick. */
  durationFactor: number;
  fast: TimingProfile;
  aws: TimingProfile;
  /** A progress line (replaced in place on a terminal). */
  progress: (text: string) => void;
  /** A line that stays. */
  say: (text: string) => void;
  /** Each experiment fleet as it starts (the live dashboard follows it). */
  onRun?: (run: LiveRun) => void;
}

/** An experiment's fleet while it runs: what the live dashboard shows. */
export interface LiveRun {
  readonly recording: RunRecording;
  readonly fleet: Fleet;
  readonly config: FleetproofConfig;
}
