import { describe, expect, it } from 'vitest';
import { type CalibrationStep, nextCalibrationStep, stepCpuPercent } from './calibration-steps.js';
import { lightProbeRate } from './scale.js';
import { stepMs } from './scale-calibration.js';

const limits = { wantedPercent: 65, maxRate: 800, minRate: 0.1, maxSteps: 6 };
const step = (rate: number, cpuPercent: number | undefined, broke = false): CalibrationStep => ({
  rate,
  cpuPercent,
  broke,
});

describe('nextCalibrationStep', () => {
  it.each<[string, CalibrationStep[], ReturnType<typeof nextCalibrationStep>]>([
    ['starts at 1/s', [], { kind: 'run', rate: 1 }],
    // A cheap GET: idle noise at 1/s, then 16×, then 16× again, then the rate its cost asks for.
    ['idle: grows 16×', [step(1, 0.8)], { kind: 'run', rate: 16 }],
    ['3% at 16/s: 16× more', [step(1, 0.8), step(16, 3)], { kind: 'run', rate: 256 }],
    [
      '48% at 256/s: the rate for 65%',
      [step(1, 0.8), step(16, 3), step(256, 48)],
      { kind: 'run', rate: 347 },
    ],
    [
      '63% at 347/s confirms',
      [step(1, 0.8), step(16, 3), step(256, 48), step(347, 63)],
      { kind: 'done', cost: 63 / 347, breakRate: undefined, highestRate: 347 },
    ],
    // A POST hashing a password: 40% at 1/s, then 1.63/s, confirmed.
    ['40% at 1/s', [step(1, 40)], { kind: 'run', rate: 1.63 }],
    // A first step near the mark still runs again: a cold instance overstates the cost.
    ['62% at 1/s, the first step', [step(1, 62)], { kind: 'run', rate: 1.05 }],
    ['the warm step lower: the rate for 65%', [step(1, 57), step(1.14, 43)], { kind: 'run', rate: 1.72 }],
    [
      '62% at 1.63/s',
      [step(1, 40), step(1.63, 62)],
      { kind: 'done', cost: 62 / 1.63, breakRate: undefined, highestRate: 1.63 },
    ],
    // A request costing more than one instance has at 1/s: a quarter of the rate, then confirmed.
    ['saturated at 1/s', [step(1, 100)], { kind: 'run', rate: 0.25 }],
    ['broke at 1/s', [step(1, 30, true)], { kind: 'run', rate: 0.25 }],
    [
      '60% at 0.25/s confirms',
      [step(1, 100), step(0.25, 60)],
      { kind: 'done', cost: 240, breakRate: 1, highestRate: 1 },
    ],
    [
      'nothing runs below the minimum',
      [step(1, 100), step(0.25, 100)],
      { kind: 'done', cost: undefined, breakRate: 0.25, highestRate: 1 },
    ],
    // The rate its cost asked for broke: the cost measured below it stands, the ceiling is 0.8 × the break.
    [
      'wanted rate broke',
      [step(1, 40), step(1.63, 95)],
      { kind: 'done', cost: 40, breakRate: 1.63, highestRate: 1.63 },
    ],
    // Never past the rig's ceiling: 2% at 800/s is all there is; its estimate lets fitRate shrink the instance.
    ['grows only to the ceiling', [step(1, 0.5), step(16, 0.5), step(256, 1)], { kind: 'run', rate: 800 }],
    [
      'idle at the ceiling',
      [step(1, 0.5), step(16, 0.5), step(256, 1), step(800, 2)],
      { kind: 'done', cost: 2 / 800, breakRate: undefined, highestRate: 800 },
    ],
    [
      'no CPU sampled at the ceiling',
      [step(800, undefined)],
      { kind: 'done', cost: undefined, breakRate: undefined, highestRate: 800 },
    ],
    // Out of steps: the best usable cost so far.
    [
      'out of steps',
      [step(1, 40), step(1.63, 20), step(3.25, 30), step(7, 40), step(11, 50), step(14, 60)],
      { kind: 'done', cost: 60 / 14, breakRate: undefined, highestRate: 14 },
    ],
  ])('%s', (_, steps, expected) => {
    const decision = nextCalibrationStep(steps, limits);
    if (expected.kind === 'done' && decision.kind === 'done' && expected.cost !== undefined) {
      expect(decision.cost).toBeCloseTo(expected.cost, 9);
      expect({ ...decision, cost: 0 }).toEqual({ ...expected, cost: 0 });
    } else expect(decision).toEqual(expected);
  });

  it('the rig ceiling from a user’s calibrateTo holds even when CPU stays idle', () => {
    expect(nextCalibrationStep([step(1, 0.5)], { ...limits, maxRate: 10 })).toEqual({
      kind: 'run',
      rate: 10,
    });
  });
});

describe('stepCpuPercent', () => {
  const samples = [
    { t: 1000, cpuPercent: 90 },
    { t: 2000, cpuPercent: 40 },
    { t: 3000, cpuPercent: undefined },
    { t: 4000, cpuPercent: 60 },
    { t: 7000, cpuPercent: 10 },
  ];
  it('averages the settled samples inside the step only', () => {
    expect(stepCpuPercent(samples, 500, 5000, 1500)).toBe(50);
    expect(stepCpuPercent(samples, 5000, 6000, 0)).toBeUndefined();
  });
});

describe('the calibration’s step length and the scale-in probe', () => {
  it.each([
    [400, 5000],
    [1, 8000],
    [0.25, 20_000],
  ])('%s/s runs %s ms', (rate, ms) => expect(stepMs(rate)).toBe(ms));

  it.each([
    [1, 1.63, 0.41],
    [2, 347, 2],
    [1, 0.25, 0.1],
  ])('probe %s/s after a calibrated %s/s: %s/s', (probe, rate, expected) =>
    expect(lightProbeRate(probe, rate)).toBe(expected),
  );
});
