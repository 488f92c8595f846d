import {
  type ArtilleryOptions,
  type ArtilleryScript,
  prepareArtilleryScript,
  readArtilleryScript,
} from '../artillery/artillery-script.js';
import { artilleryDuration } from '../artillery/durations.js';
import { isObj } from '../plain-values.js';
import type { Flow, LoadPlan } from '../plan.js';
import type { ArrivalPhase } from '../schedule/arrivals.js';
import { UnsupportedInScript } from './unsupported.js';

/**
 * An Artillery v2 test as a plan, prepared as `artillery run` prepares it (artillery/artillery-script.ts) and
 * run by fleetproof's Artillery runtime (artillery/artillery-vu.ts): each arrival a new virtual user running
 * one scenario picked by weight. What it cannot run as Artillery would, it refuses, every item with its line.
 */
export function importArtillery(path: string, text?: string, options: ArtilleryOptions = {}): LoadPlan {
  return planOf(readArtilleryScript(path, options, text));
}

/** The same, from an object (a .ts test or a fleetproof.config.ts `scenarios` entry). */
export function importArtilleryObject(path: string, doc: unknown, options: ArtilleryOptions = {}): LoadPlan {
  return planOf(prepareArtilleryScript(path, doc, options));
}

function planOf(script: ArtilleryScript): LoadPlan {
  const { path, config } = script;
  const timeoutS = Number(config.timeout ?? (isObj(config.http) ? config.http.timeout : undefined) ?? 10);
  const timeoutMs = timeoutS * 1000;
  // Artillery runs one arrival when a script has no phases.
  const specs =
    Array.isArray(config.phases) && config.phases.length > 0
      ? config.phases
      : [{ duration: 1, arrivalCount: 1 }];
  let maxVusers = 0;
  const phases: ArrivalPhase[] = specs.map((raw, i) => {
    if (!isObj(raw)) throw new UnsupportedInScript(path, `config.phases[${i}] that is not a mapping`);
    if (typeof raw.maxVusers === 'number') maxVusers = Math.max(maxVusers, raw.maxVusers);
    if (raw.pause !== undefined)
      return { kind: 'pause', durationMs: artilleryDuration(raw.pause, `config.phases[${i}].pause`) };
    const durationMs = artilleryDuration(raw.duration, `config.phases[${i}].duration`);
    if (raw.arrivalCount !== undefined) return { kind: 'count', durationMs, count: Number(raw.arrivalCount) };
    const rate = Number(raw.arrivalRate ?? 0);
    if (raw.rampTo !== undefined) return { kind: 'ramp', durationMs, from: rate, to: Number(raw.rampTo) };
    return { kind: 'rate', durationMs, rate };
  });
  const flows: Flow[] = script.scenarios.map((raw, i) => ({
    kind: 'artillery',
    name: typeof raw.name === 'string' ? raw.name : `scenario ${i + 1}`,
    weight: typeof raw.weight === 'number' ? raw.weight : 1,
    index: i,
  }));
  return {
    source: path,
    target: String(config.target),
    timeoutMs,
    thresholds: {},
    artillery: script,
    scenarios: [
      {
        name: 'artillery',
        startTimeMs: 0,
        gracefulStopMs: timeoutMs + 5000,
        flows,
        executor: {
          type: 'arrivals',
          label: 'Artillery phases',
          phases,
          preAllocatedVUs: 10,
          maxVUs: maxVusers || 100_000,
        },
      },
    ],
  };
}
