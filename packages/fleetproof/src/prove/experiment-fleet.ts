import type { FleetproofConfig } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { emptyRecording, recorderFor } from '../dashboard/live-recording.js';
import type { LoadResult } from '../load/engine.js';
import { type LoadPlan, plannedDurationMs, withTarget } from '../load/plan.js';
import { runLoadInWorker } from '../load/run-in-worker.js';
import { type Fleet, startFleet, waitForHealthy } from '../runtime/fleet-runtime.js';
import type { LoadSecond, ProveContext, RunRecording } from './types.js';

export interface ExperimentFleetOptions {
  label: string;
  setup: string;
  /** Sections of the config replaced for this run (shallow, per section). */
  override?: {
    instance?: Partial<FleetproofConfig['instance']>;
    scaling?: Partial<FleetproofConfig['scaling']>;
    balancer?: Partial<FleetproofConfig['balancer']>;
    rollout?: Partial<FleetproofConfig['rollout']>;
  };
  instanceEnv?: Record<string, string>;
}

/**
 * One fleet for one experiment run: the project's config with the experiment's overrides, on the shared
 * database, the listener on a free port (a `fleetproof up` may be using the configured one). Everything it
 * does is recorded relative to its start.
 */
export class ExperimentFleet {
  readonly recording: RunRecording;
  private constructor(
    readonly fleet: Fleet,
    readonly config: FleetproofConfig,
    recording: RunRecording,
    private readonly context: ProveContext,
  ) {
    this.recording = recording;
  }

  static async start(context: ProveContext, options: ExperimentFleetOptions): Promise<ExperimentFleet> {
    const base = context.config;
    const merged = {
      ...base,
      instance: { ...base.instance, ...options.override?.instance },
      scaling: { ...base.scaling, ...options.override?.scaling },
      balancer: { ...base.balancer, ...options.override?.balancer },
      rollout: { ...base.rollout, ...options.override?.rollout },
      // Experiments run in the fast profile: the report maps their durations to AWS timings.
      timing: { ...base.timing, profile: 'fast' as const },
    };
    const config = validateConfig(merged);
    const recording = emptyRecording(options.label, options.setup, Date.now());
    const recorder = recorderFor(recording);
    const fleet = await startFleet({
      root: context.root,
      config,
      databaseUrl: context.databaseUrl,
      balancerPort: context.balancerPort,
      instanceEnv: options.instanceEnv,
      onEvent: recorder.event,
      onPoint: recorder.point,
    });
    recording.runDir = fleet.run.dir;
    const running = new ExperimentFleet(fleet, config, recording, context);
    context.onRun?.(running);
    try {
      context.progress(
        `${options.label}: starting ${config.scaling.desired ?? config.scaling.min} instance(s)`,
      );
      await waitForHealthy(fleet, config.scaling.desired ?? config.scaling.min, 60_000);
    } catch (error) {
      await running.stop();
      throw error;
    }
    return running;
  }

  get listenerUrl(): string {
    return this.fleet.listenerUrl;
  }

  /** Seconds since this run started. */
  elapsedMs(): number {
    return Date.now() - this.recording.startedAt;
  }

  /**
   * Runs a load plan against the listener in a worker thread, with a progress line every second. `stopWhen`
   * ends it early (the capacity ramp stops once one instance has broken). The run's summary is this load's
   * unless `keepSummary` (a probe beside the main load).
   */
  async load(
    plan: LoadPlan,
    what: string,
    options: { stopWhen?: (second: LoadSecond) => boolean; keepSummary?: boolean } = {},
  ): Promise<LoadResult> {
    const totalS = Math.round(plannedDurationMs(plan) / 1000);
    const loadStart = Date.now();
    const controller = new AbortController();
    const recorder = recorderFor(this.recording);
    const result = await runLoadInWorker(withTarget(plan, this.fleet.listenerUrl), {
      signal: controller.signal,
      onSecond: (s) => {
        recorder.second(s, loadStart);
        const second = this.recording.load[this.recording.load.length - 1] as LoadSecond;
        if (options.stopWhen?.(second)) controller.abort();
        const status = this.fleet.group.status();
        const healthy = this.fleet.balancer.group.all().filter((t) => t.state === 'healthy').length;
        this.context.progress(
          `${this.recording.label}: ${what} ${Math.round(s.elapsedMs / 1000)}/${totalS} s · ${s.rps} req/s · failed ${s.failed} · p95 ${s.p95Ms} ms · instances ${status.instances.length} (healthy ${healthy})`,
        );
      },
    });
    if (!options.keepSummary) this.recording.summary = result.summary;
    return result;
  }

  /** Waits for a condition on the fleet, showing what it waits for; false on timeout. */
  async until(what: string, condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (condition()) return true;
      const status = this.fleet.group.status();
      this.context.progress(
        `${this.recording.label}: waiting for ${what} · ${Math.round((deadline - Date.now()) / 1000)} s left · instances ${status.instances.length}, desired ${status.desired}`,
      );
      await new Promise((r) => setTimeout(r, 250));
    }
    return condition();
  }

  async stop(): Promise<RunRecording> {
    this.context.progress(`${this.recording.label}: stopping the fleet`);
    await this.fleet.stop();
    this.recording.durationMs = Date.now() - this.recording.startedAt;
    return this.recording;
  }
}
