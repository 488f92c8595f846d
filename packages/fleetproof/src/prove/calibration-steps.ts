/**
 * The scale experiment's calibration as a search over steady rates on one instance: each step runs a few
 * seconds at one rate and measures the instance's mean CPU, and the next rate follows from what it measured.
 * A single linear ramp cannot serve both kinds of service users have: for a GET costing 1 ms the interesting
 * rates are hundreds per second, for a POST hashing a password (0.2 s of CPU) one instance of 0.5 vCPU is
 * saturated at 2.5/s, a rate a ramp to 1200/s passes in its first tenth of a second.
 */

/** What one step measured. */
export interface CalibrationStep {
  /** Arrivals per second the step ran at. */
  readonly rate: number;
  /** The instance's mean CPU over the step's settled seconds, % of its vCPUs; undefined when none sampled. */
  readonly cpuPercent: number | undefined;
  /** The step broke the service level (failures or p99) in some second. */
  readonly broke: boolean;
}

export interface CalibrationLimits {
  /** The CPU the experiment wants one instance at, %. */
  readonly wantedPercent: number;
  /** The highest rate the rig pushes cleanly (or the user's `calibrateTo`). */
  readonly maxRate: number;
  /** Below this rate a step is not worth running (arrivals per second). */
  readonly minRate: number;
  readonly maxSteps: number;
}

export type CalibrationDecision =
  | { readonly kind: 'run'; readonly rate: number }
  | {
      readonly kind: 'done';
      /** % CPU of one instance per arrival per second; undefined when no step measured one. */
      readonly cost: number | undefined;
      /** The lowest rate that broke the service level or saturated the instance. */
      readonly breakRate: number | undefined;
      /** The highest rate a step ran at. */
      readonly highestRate: number;
    };

export const FIRST_RATE = 1;
/** Between these, CPU says what a request costs: under, idle noise dominates; over, the instance queues. */
export const USABLE_CPU = { low: 10, high: 85 } as const;
/** A step within this share of the rate its own cost asks for confirms the cost. */
const CONFIRMED_WITHIN = 0.15;
/** The most a rate grows in one step when CPU barely moved (idle noise makes a bigger jump a guess). */
const MAX_GROWTH = 16;
/** How much a rate shrinks after a step saturated the instance. */
const SHRINK = 4;

const usable = (s: CalibrationStep): s is CalibrationStep & { cpuPercent: number } =>
  !s.broke && s.cpuPercent !== undefined && s.cpuPercent >= USABLE_CPU.low && s.cpuPercent <= USABLE_CPU.high;
const saturated = (s: CalibrationStep) => s.broke || (s.cpuPercent ?? 0) > USABLE_CPU.high;
const round = (rate: number) => (rate >= 10 ? Math.round(rate) : Math.round(rate * 100) / 100);

/**
 * The next step, or the cost the steps so far established. E.g. 1/s at 2% → 16/s; at 40% → cost 40, 65% wants
 * 1.63/s: run it; 1.63/s at 62% → cost 38 confirmed (1.63 is within 15% of 65 / 38 = 1.71). 1/s broke → 0.25/s.
 */
export function nextCalibrationStep(
  steps: readonly CalibrationStep[],
  limits: CalibrationLimits,
): CalibrationDecision {
  const last = steps.at(-1);
  if (!last) return { kind: 'run', rate: FIRST_RATE };
  const breaking = steps.filter(saturated).map((s) => s.rate);
  const breakRate = breaking.length > 0 ? Math.min(...breaking) : undefined;
  const ceiling = Math.min(
    limits.maxRate,
    breakRate === undefined ? Number.POSITIVE_INFINITY : 0.8 * breakRate,
  );
  const highestRate = Math.max(...steps.map((s) => s.rate));
  const done = (cost: number | undefined): CalibrationDecision => ({
    kind: 'done',
    cost,
    breakRate,
    highestRate,
  });
  const bestUsable = steps.filter(usable).sort((a, b) => b.rate - a.rate)[0];
  const costOf = (s: CalibrationStep & { cpuPercent: number }) => s.cpuPercent / s.rate;
  const outOfSteps = steps.length >= limits.maxSteps;

  if (usable(last)) {
    const wanted = Math.min(ceiling, limits.wantedPercent / costOf(last));
    // The first step runs on a cold instance (a JIT compiling, pools filling: measured 57% at 1/s there and
    // 43% once warm), so it never confirms a cost on its own.
    const confirmed = steps.length > 1 && Math.abs(last.rate - wanted) <= CONFIRMED_WITHIN * wanted;
    if (confirmed || outOfSteps) return done(costOf(last));
    return { kind: 'run', rate: round(wanted) };
  }
  if (saturated(last)) {
    // A lower rate measured a cost already: the ceiling (0.8 × this rate) keeps the experiment under it.
    if (bestUsable || outOfSteps) return done(bestUsable && costOf(bestUsable));
    const lower = last.rate / SHRINK;
    return lower < limits.minRate ? done(undefined) : { kind: 'run', rate: round(lower) };
  }
  // Too idle to tell: grow towards the wanted CPU, at most MAX_GROWTH× per step, never past the ceiling.
  const estimate = last.cpuPercent && last.cpuPercent > 0 ? last.cpuPercent / last.rate : undefined;
  if (bestUsable) return done(costOf(bestUsable));
  if (last.rate >= ceiling || outOfSteps) return done(estimate);
  const growth = Math.min(MAX_GROWTH, limits.wantedPercent / Math.max(1, last.cpuPercent ?? 0));
  return { kind: 'run', rate: round(Math.min(ceiling, last.rate * growth)) };
}

/** A step's mean CPU: the instance's samples after the step's first `settleMs` (it takes a moment to fill). */
export function stepCpuPercent(
  samples: readonly { t: number; cpuPercent: number | undefined }[],
  stepStartMs: number,
  stepEndMs: number,
  settleMs: number,
): number | undefined {
  const cpu = samples
    .filter((s) => s.t >= stepStartMs + settleMs && s.t <= stepEndMs)
    .map((s) => s.cpuPercent)
    .filter((c): c is number => c !== undefined);
  return cpu.length === 0 ? undefined : cpu.reduce((a, b) => a + b, 0) / cpu.length;
}
