import { artilleryDriver, artilleryReport } from './artillery/artillery-driver.js';
import { FlowFailure, runSteps, stopVu, type VuContext } from './flow-runner.js';
import { LoadHttpClient } from './http-client.js';
import type { K6SummaryData } from './k6/k6-metrics.js';
import type { MetricSink } from './k6/metric-sink.js';
import { LoadMetrics, type LoadSummary, type RequestSample, type SeriesSecond } from './load-metrics.js';
import type { Executor, Flow, LoadPlan, ScenarioPlan } from './plan.js';
import { arrivalTimes } from './schedule/arrivals.js';
import { vusAt } from './schedule/ramping-vus.js';
import { inSegment, segmentShare } from './schedule/segments.js';
import { evaluateThresholds, type ThresholdResult } from './thresholds.js';

/** Runs one iteration of a flow for a VU; resolves false when the virtual user failed. */
export type IterationFn = (vu: VuContext) => Promise<boolean>;

/** What the engine gives a script runtime: the shared client and metrics, the clock, a way to abort. */
export interface ScriptServices {
  client: LoadHttpClient;
  metrics: LoadMetrics;
  now(): number;
  startedAt: number;
  abort(reason: string): void;
}

/** A script runtime (k6): started before the scenarios (init, setup), finished after them (teardown). */
export interface ScriptDriver {
  start(services: ScriptServices): Promise<void>;
  iteration(flow: Exclude<Flow, { kind: 'steps' }>, scenario: ScenarioPlan): IterationFn;
  finish(): Promise<void>;
  /** Custom metrics and tag-filtered sub-metrics, for thresholds. */
  sinkOf(key: string): MetricSink | undefined;
}

export interface EngineOptions {
  plan: LoadPlan;
  onSecond?: (point: SeriesSecond) => void;
  /** Runs the plan's k6 flows (load-worker.ts provides it). */
  script?: ScriptDriver;
  signal?: AbortSignal;
  /** Tests only: every raw request sample (the summary itself comes from the histograms). */
  onRequest?: (sample: RequestSample) => void;
}

export interface LoadResult {
  summary: LoadSummary;
  thresholds: ThresholdResult[];
  /** A threshold with abortOnFail failed, or the run was cancelled. */
  aborted: string | undefined;
  /** k6 scripts: the summary data handleSummary receives (custom metrics, groups and checks). */
  k6Summary?: K6SummaryData;
  /** k6 scripts: what handleSummary returned (file name or stdout/stderr → content). */
  summaryOutputs?: Record<string, unknown>;
  /** Artillery tests: the report's counters and aggregates (custom metrics and plugins' included). */
  artillery?: Record<string, number>;
}

// Epoch milliseconds with sub-millisecond precision; the origin is read once (it is a getter on every call).
const origin = performance.timeOrigin;
const now = () => origin + performance.now();
const TICK_MS = 50;

/** Runs every scenario of a plan at once and returns the summary and threshold results. */
export async function runLoad(options: EngineOptions): Promise<LoadResult> {
  const { plan } = options;
  const artillery = plan.artillery && !options.script ? artilleryDriver(plan.artillery) : undefined;
  if (artillery) options = { ...options, script: artillery.driver };
  const startedAt = now();
  const metrics = new LoadMetrics(startedAt, options.onRequest);
  const client = new LoadHttpClient(now);
  const state = { ended: false, aborted: undefined as string | undefined };
  const percentileOf = (metric: string, p: number) =>
    (metric === 'http_req_waiting'
      ? metrics.waiting
      : metric === 'iteration_duration'
        ? metrics.iterationDuration
        : metrics.duration
    ).percentileMs(p);

  // Only thresholds with abortOnFail need judging during the run (a summary costs a pass over the histograms).
  const watched = Object.fromEntries(
    Object.entries(plan.thresholds)
      .map(([metric, specs]) => [metric, specs.filter((t) => t.abortOnFail)] as const)
      .filter(([, specs]) => specs.length > 0),
  );
  const sinkOf = options.script ? (key: string) => options.script?.sinkOf(key) : undefined;
  const ticker = setInterval(() => {
    options.onSecond?.(metrics.closeSecond(now()));
    if (Object.keys(watched).length === 0 || state.aborted) return;
    const failing = evaluateThresholds(watched, metrics.summary(now()), percentileOf, sinkOf).find(
      (r) => !r.passed,
    );
    if (failing) {
      state.aborted = `threshold ${failing.metric}: ${failing.expression} failed (actual ${failing.actual.toFixed(3)}) with abortOnFail`;
      state.ended = true;
    }
  }, 1000);
  const onAbort = () => {
    state.aborted ??= 'cancelled';
    state.ended = true;
  };
  options.signal?.addEventListener('abort', onAbort);

  try {
    await options.script?.start({
      client,
      metrics,
      now,
      startedAt,
      abort: (reason) => {
        state.aborted ??= reason;
        state.ended = true;
      },
    });
    await Promise.all(
      plan.scenarios.map(async (scenario) => {
        if (scenario.startTimeMs > 0) await pause(scenario.startTimeMs, state);
        const iterations = scenario.flows.map((flow) =>
          flow.kind === 'steps'
            ? (((vu: VuContext) => runSteps(flow.steps, vu)) satisfies IterationFn)
            : requireScript(options).iteration(flow, scenario),
        );
        const pick = weightedPicker(scenario.flows.map((f) => f.weight));
        const iterate = async (vu: VuContext) => {
          const started = now();
          metrics.vusersCreated += 1;
          vu.vars.clear();
          let ok: boolean;
          try {
            ok = await (iterations[pick()] as IterationFn)(vu);
          } catch (error) {
            if (!(error instanceof FlowFailure)) throw error;
            ok = false;
          }
          metrics.iterations += 1;
          metrics.iterationDuration.recordMs(now() - started);
          if (ok) metrics.vusersCompleted += 1;
          else metrics.vusersFailed += 1;
        };
        await runScenario(scenario, iterate, { scenario: scenario.name, plan, client, metrics, state });
      }),
    );
    await options.script?.finish();
  } finally {
    clearInterval(ticker);
    options.signal?.removeEventListener('abort', onAbort);
    options.onSecond?.(metrics.closeSecond(now()));
    await client.close();
  }
  const summary = metrics.summary(now());
  const thresholds = evaluateThresholds(plan.thresholds, summary, percentileOf, sinkOf);
  if (!artillery || !plan.artillery) return { summary, thresholds, aborted: state.aborted };
  const report = artilleryReport(artillery.metrics, plan.artillery.config, summary, thresholds);
  return { summary, thresholds, aborted: state.aborted, artillery: report };
}

function requireScript(options: EngineOptions): ScriptDriver {
  if (!options.script) throw new Error('k6 flows need the k6 runtime (run them with fleetproof load)');
  return options.script;
}

/** Returns indexes with probability proportional to their weights (Artillery's scenario weights). */
export function weightedPicker(weights: readonly number[], random = Math.random): () => number {
  const total = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 1 || total <= 0) return () => 0;
  return () => {
    let r = random() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  };
}

interface RunContext {
  scenario: string;
  plan: LoadPlan;
  client: LoadHttpClient;
  metrics: LoadMetrics;
  state: { ended: boolean };
}

function pause(ms: number, state: { ended: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const deadline = now() + ms;
    const check = () =>
      state.ended || now() >= deadline ? resolve() : setTimeout(check, Math.min(TICK_MS, deadline - now()));
    check();
  });
}

let nextVuId = 1;
function newVu(ctx: RunContext): VuContext {
  return {
    id: nextVuId++,
    client: ctx.client,
    metrics: ctx.metrics,
    target: ctx.plan.target,
    timeoutMs: ctx.plan.timeoutMs,
    vars: new Map(),
    intendedStartAt: undefined,
    stopped: false,
    now,
  };
}

async function runScenario(
  scenario: ScenarioPlan,
  iterate: (vu: VuContext) => Promise<void>,
  ctx: RunContext,
): Promise<void> {
  const e: Executor = scenario.executor;
  if (e.type === 'arrivals') return runOpen(e, scenario.gracefulStopMs, iterate, ctx);
  return runClosed(e, scenario.gracefulStopMs, iterate, ctx);
}

/**
 * Closed model: a number of VUs, each looping over iterations. The wanted count follows the executor
 * (constant, k6 stages); VUs above it finish their iteration within gracefulRampDown, then stop.
 */
async function runClosed(
  e: Exclude<Executor, { type: 'arrivals' }>,
  gracefulStopMs: number,
  iterate: (vu: VuContext) => Promise<void>,
  ctx: RunContext,
): Promise<void> {
  const start = now();
  const durationMs =
    e.type === 'constant-vus'
      ? e.durationMs
      : e.type === 'ramping-vus'
        ? e.stages.reduce((n, s) => n + s.durationMs, 0)
        : e.maxDurationMs;
  // A segment (load --segment) runs its share of the VUs as they join, and of shared iterations.
  const segment = ctx.plan.segment;
  const wanted = (t: number) =>
    segmentShare(e.type === 'ramping-vus' ? vusAt(e.stages, e.startVUs, t) : e.vus, segment);
  let shared = e.type === 'shared-iterations' ? segmentShare(e.iterations, segment) : 0;
  const running = new Set<{ vu: VuContext; stopAt: number; done: Promise<void> }>();
  const spawn = () => {
    const vu = newVu(ctx);
    let own = e.type === 'per-vu-iterations' ? e.iterations : Number.POSITIVE_INFINITY;
    const entry = { vu, stopAt: Number.POSITIVE_INFINITY, done: Promise.resolve() };
    entry.done = (async () => {
      while (!vu.stopped && !ctx.state.ended) {
        const t = now();
        if (t - start >= durationMs || t >= entry.stopAt) break;
        if (e.type === 'shared-iterations') {
          if (shared <= 0) break;
          shared -= 1;
        } else if (own-- <= 0) break;
        await iterate(vu);
      }
      running.delete(entry);
      ctx.metrics.setVus(ctx.scenario, activeCount());
    })();
    running.add(entry);
  };
  const activeCount = () => [...running].filter((r) => r.stopAt === Number.POSITIVE_INFINITY).length;
  const rampDownMs = e.type === 'ramping-vus' ? e.gracefulRampDownMs : 0;

  if (e.type === 'per-vu-iterations' || e.type === 'shared-iterations') {
    // Iteration executors start their VUs once; each stops when the iterations run out or at maxDuration.
    // A part with shared iterations but no VU of its own still needs one to run them.
    const vus = Math.max(shared > 0 ? 1 : 0, segmentShare(e.vus, segment));
    for (let n = 0; n < vus; n++) spawn();
    ctx.metrics.setVus(ctx.scenario, activeCount());
    const all = Promise.all([...running].map((r) => r.done));
    while (running.size > 0 && !ctx.state.ended && now() - start < durationMs) {
      await Promise.race([all, new Promise((r) => setTimeout(r, TICK_MS))]);
    }
  } else {
    while (!ctx.state.ended && now() - start < durationMs) {
      const want = wanted(now() - start);
      const active = [...running].filter((r) => r.stopAt === Number.POSITIVE_INFINITY);
      for (let n = active.length; n < want; n++) spawn();
      // Ramping down: the newest VUs leave after their current iteration, cut at gracefulRampDown.
      for (const extra of active.slice(want).reverse()) extra.stopAt = now();
      for (const r of running) {
        if (r.stopAt !== Number.POSITIVE_INFINITY && now() - r.stopAt > rampDownMs) stopVu(r.vu);
      }
      ctx.metrics.setVus(ctx.scenario, activeCount());
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
  }
  await finishWithin(
    [...running].map((r) => r.done),
    gracefulStopMs,
    () => {
      for (const r of running) stopVu(r.vu);
    },
  );
  ctx.metrics.setVus(ctx.scenario, 0);
}

/**
 * Open model: iterations start at their scheduled arrival times whatever the state of earlier ones, each on
 * a free VU (at most maxVUs at once); an arrival with no free VU is dropped, counted as k6 does. The first
 * request of each iteration is timed from its intended start, so a late start shows as latency instead of
 * hiding (no coordinated omission).
 */
async function runOpen(
  e: Extract<Executor, { type: 'arrivals' }>,
  gracefulStopMs: number,
  iterate: (vu: VuContext) => Promise<void>,
  ctx: RunContext,
): Promise<void> {
  const start = now();
  const segment = ctx.plan.segment;
  const vuShare = (n: number) => Math.max(Math.min(n, 1), segmentShare(n, segment));
  const preAllocated = vuShare(e.preAllocatedVUs);
  const maxVUs = vuShare(e.maxVUs);
  const idle: VuContext[] = [];
  for (let i = 0; i < preAllocated; i++) idle.push(newVu(ctx));
  let allocated = preAllocated;
  // A segment takes the arrivals whose number falls in it; the schedule's times stay the whole plan's.
  let arrival = -1;
  let busy = 0;
  const busyVus = new Set<VuContext>();
  const inflight = new Set<Promise<void>>();
  const times = arrivalTimes(e.phases);
  let next = times.next();
  while (!next.done && !ctx.state.ended) {
    const wait = start + next.value - now();
    // Always give the event loop a turn, through a timer: at 1000 arrivals/s and more every wait is a
    // millisecond or less; a loop that skipped the wait never let a response in (it stalled for whole phases),
    // and one that yielded with setImmediate spun a whole core. Arrivals due within the millisecond start
    // together, each timed from its own due time.
    await new Promise((r) => setTimeout(r, Math.min(Math.max(wait, 1), TICK_MS)));
    const current = now() - start;
    while (!next.done && next.value <= current && !ctx.state.ended) {
      arrival += 1;
      if (!inSegment(arrival, segment)) {
        next = times.next();
        continue;
      }
      let vu = idle.pop();
      if (!vu && allocated < maxVUs) {
        allocated += 1;
        vu = newVu(ctx);
      }
      if (!vu) {
        ctx.metrics.droppedIteration();
      } else {
        const chosen = vu;
        chosen.intendedStartAt = start + next.value;
        busy += 1;
        busyVus.add(chosen);
        ctx.metrics.setVus(ctx.scenario, busy);
        const run = iterate(chosen).finally(() => {
          busy -= 1;
          ctx.metrics.setVus(ctx.scenario, busy);
          chosen.intendedStartAt = undefined;
          busyVus.delete(chosen);
          idle.push(chosen);
          inflight.delete(run);
        });
        inflight.add(run);
      }
      next = times.next();
    }
  }
  const phasesEnd = start + e.phases.reduce((n, p) => n + p.durationMs, 0);
  while (!ctx.state.ended && now() < phasesEnd)
    await new Promise((r) => setTimeout(r, Math.min(TICK_MS, phasesEnd - now())));
  const all = [...busyVus];
  await finishWithin([...inflight], gracefulStopMs, () => {
    for (const vu of [...idle, ...all]) stopVu(vu);
  });
}

async function finishWithin(work: Promise<void>[], ms: number, cut: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.all(work).then(() => undefined), timeout]);
  clearTimeout(timer);
  cut();
}
