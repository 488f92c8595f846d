/** A linear ramp of arrivals per second, as the capacity and calibration runs drive it. */
export interface Ramp {
  from: number;
  to: number;
  seconds: number;
}

/** The ramp's rate `ms` after it started (held at `to` past its end). */
export const rateAt = (ramp: Ramp, ms: number) =>
  ramp.from + ((ramp.to - ramp.from) * Math.min(ms / 1000, ramp.seconds)) / ramp.seconds;
