/**
 * Open-model arrival schedules. A phase is one of Artillery's (and k6 ramping-arrival-rate's stages, which
 * become `ramp` phases): constant rate, linear ramp of the rate, a fixed count spread evenly, or a pause.
 * Rates are arrivals per second.
 */
export type ArrivalPhase =
  | { kind: 'rate'; durationMs: number; rate: number }
  | { kind: 'ramp'; durationMs: number; from: number; to: number }
  | { kind: 'count'; durationMs: number; count: number }
  | { kind: 'pause'; durationMs: number };

/**
 * Intended arrival times (ms from the start), in order. For a ramp from a to b over d seconds the expected
 * number of arrivals by t is N(t) = a·t + (b − a)·t²/(2d); the i-th arrival is at the t where N(t) = i
 * (solved in closed form), so a ramp from 0 to 10/s over 10 s has its 1st arrival at √2 s and 50 in all.
 * A generator: a long test never holds its whole schedule in memory.
 */
export function* arrivalTimes(phases: readonly ArrivalPhase[]): Generator<number> {
  let offset = 0;
  for (const phase of phases) {
    const d = phase.durationMs / 1000;
    if (phase.kind === 'rate' && phase.rate > 0) {
      const total = Math.floor(phase.rate * d + 1e-9);
      for (let i = 0; i < total; i++) yield offset + (i / phase.rate) * 1000;
    } else if (phase.kind === 'ramp') {
      const { from: a, to: b } = phase;
      const total = Math.floor(((a + b) / 2) * d + 1e-9);
      for (let i = 1; i <= total; i++) yield offset + solveRamp(a, b, d, i) * 1000;
    } else if (phase.kind === 'count' && phase.count > 0) {
      for (let i = 0; i < phase.count; i++) yield offset + (i * phase.durationMs) / phase.count;
    }
    offset += phase.durationMs;
  }
}

/** t in [0, d] with a·t + (b − a)·t²/(2d) = n. */
function solveRamp(a: number, b: number, d: number, n: number): number {
  const k = (b - a) / (2 * d);
  if (Math.abs(k) < 1e-12) return n / a;
  return (-a + Math.sqrt(a * a + 4 * k * n)) / (2 * k);
}

export function arrivalsTotal(phases: readonly ArrivalPhase[]): number {
  let n = 0;
  for (const _ of arrivalTimes(phases)) n += 1;
  return n;
}

export function phasesDurationMs(phases: readonly ArrivalPhase[]): number {
  return phases.reduce((sum, p) => sum + p.durationMs, 0);
}
