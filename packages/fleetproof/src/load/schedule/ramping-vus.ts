/** A k6 stage: ramp linearly to `target` VUs over `durationMs`. */
export interface Stage {
  durationMs: number;
  target: number;
}

/**
 * VUs wanted at `tMs` into a k6 ramping-vus scenario: linear interpolation from the previous stage's target
 * (startVUs for the first) to this stage's, floored as k6 does; after the last stage, its target.
 */
export function vusAt(stages: readonly Stage[], startVUs: number, tMs: number): number {
  let from = startVUs;
  let elapsed = 0;
  for (const stage of stages) {
    if (tMs < elapsed + stage.durationMs) {
      const progress = stage.durationMs === 0 ? 1 : (tMs - elapsed) / stage.durationMs;
      return Math.floor(from + (stage.target - from) * progress);
    }
    elapsed += stage.durationMs;
    from = stage.target;
  }
  return from;
}

export function totalDurationMs(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** The most VUs the scenario ever wants (k6's vus_max for ramping-vus). */
export function maxVus(stages: readonly Stage[], startVUs: number): number {
  return Math.max(startVUs, ...stages.map((s) => s.target));
}
