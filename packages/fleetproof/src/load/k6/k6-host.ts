import type { VuContext } from '../flow-runner.js';
import type { LoadHttpClient } from '../http-client.js';
import type { LoadMetrics } from '../load-metrics.js';
import { parseDuration } from '../schedule/durations.js';
import { sendK6Request } from './host-requests.js';
import { InlineVu } from './inline-vu.js';
import type { K6Metrics } from './k6-metrics.js';
import { type ScriptModule, VuThread } from './vu-thread.js';
import type {
  HostCall,
  InstanceState,
  IterationEnd,
  IterationStart,
  MetricSample,
  WireRequest,
  WireResponse,
} from './wire.js';

export interface ScenarioInfo {
  name: string;
  executor: string;
  startTime: number;
  env?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface HostServices {
  client: LoadHttpClient;
  metrics: LoadMetrics;
  k6: K6Metrics;
  now(): number;
  startedAt: number;
  abort(reason: string): void;
  onScriptError(message: string): void;
}

/** A VU as the host drives it: a thread of its own (vu-thread.ts) or an inline instance (inline-vu.ts). */
export interface VuRunner {
  readonly idInTest: number;
  readonly ready: Promise<void>;
  run(start: IterationStart): Promise<IterationEnd>;
  stop(): void;
  terminate(): Promise<number>;
}

export interface HostedScript extends ScriptModule {
  functions: string[];
  /** The fast path's rewritten script (compile-k6.ts), when the analysis proved it safe. */
  factoryPath?: string;
}

/**
 * The host side of a k6 script: its VUs (threads, or inline instances in the fast path), initialised before
 * the test as k6 does, and the calls they make: requests (sent on the shared client, measured here),
 * SharedArray data, metric samples.
 */
export class K6Host {
  private readonly threads = new Map<number, VuRunner>();
  /** Runners whose init context has finished: their `ready` need not be awaited (a turn) every iteration. */
  private readonly initialised = new WeakSet<VuRunner>();
  private readonly spare: VuRunner[] = [];
  private readonly shared = new Map<string, unknown[]>();
  private readonly current = new Map<VuRunner, VuContext | undefined>();
  private readonly iterationsByScenario = new Map<string, number>();
  private readonly iterationsByVu = new Map<VuRunner, Map<string, number> & { total?: number }>();
  private nextId = 1;
  private interrupted = 0;
  private errorsShown = new Set<string>();
  private services: HostServices | undefined;
  private setupData: unknown;

  constructor(private readonly script: HostedScript) {}

  private get io(): HostServices {
    if (!this.services) throw new Error('the k6 host is not started');
    return this.services;
  }

  private newThread(id: number): VuRunner {
    const { factoryPath } = this.script;
    const script = { ...this.script, httpTags: this.io.k6.wantsHttpTags };
    if (factoryPath) {
      return new InlineVu({ ...script, factoryPath }, id, {
        http: (runner, requests, samples) => this.http(runner, requests, samples),
        now: (call) => (call.op === 'http' ? {} : this.answerNow(call)),
      });
    }
    return new VuThread(script, id, (thread, call) => this.answer(thread, call));
  }

  /** Initialises `count` VUs (each runs the init context) and runs setup(), whose result every VU receives. */
  async start(services: HostServices, count: number): Promise<void> {
    this.services = services;
    const threads = Array.from({ length: count }, () => this.newThread(this.nextId++));
    this.spare.push(...threads);
    await Promise.all(threads.map((t) => t.ready));
    if (this.script.functions.includes('setup')) this.setupData = await this.once('setup', 'setup');
  }

  /** Runs teardown(data) after the scenarios, on its own VU as k6 does. */
  async teardown(): Promise<void> {
    if (this.script.functions.includes('teardown')) await this.once('teardown', 'teardown', this.setupData);
  }

  async handleSummary(data: unknown): Promise<Record<string, unknown> | undefined> {
    if (!this.script.functions.includes('handleSummary')) return undefined;
    return (await this.once('handleSummary', 'summary', data)) as Record<string, unknown> | undefined;
  }

  private async once(exec: string, stage: IterationStart['stage'], argument?: unknown): Promise<unknown> {
    const thread = this.newThread(0);
    // k6's setupTimeout / teardownTimeout (60 s by default); handleSummary gets the same.
    const limit = this.script.options[`${exec}Timeout`] ?? '60s';
    const limitMs = parseDuration(limit as string, `options.${exec}Timeout`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${exec}() did not finish within ${limit} (options.${exec}Timeout)`)),
        limitMs,
      );
    });
    try {
      await Promise.race([thread.ready, timeout]);
      const end = await Promise.race([
        thread.run(this.message(exec, stage, 0, argument, undefined)),
        timeout,
      ]);
      this.absorb(end);
      if (!end.ok) throw new Error(`${exec}() failed: ${end.error ?? 'stopped'}`);
      return end.result;
    } finally {
      clearTimeout(timer);
      await thread.terminate();
    }
  }

  private message(
    exec: string,
    stage: IterationStart['stage'],
    idInTest: number,
    argument: unknown,
    scenario: ScenarioInfo | undefined,
    counters = { instance: 0, scenario: 0, test: 0 },
  ): IterationStart {
    const about: IterationStart['scenario'] = {
      name: scenario?.name ?? '',
      executor: scenario?.executor ?? '',
      startTime: scenario?.startTime ?? 0,
      iterationInTest: counters.test,
    };
    if (scenario?.env) about.env = scenario.env;
    if (scenario?.tags) about.tags = scenario.tags;
    return {
      type: 'run',
      exec,
      stage,
      argument,
      idInTest,
      iterationInInstance: counters.instance,
      iterationInScenario: counters.scenario,
      scenario: about,
      testStart: this.io.startedAt,
    };
  }

  private threadFor(vu: VuContext): VuRunner {
    let thread = this.threads.get(vu.id);
    if (!thread) {
      thread = this.spare.pop() ?? this.newThread(this.nextId++);
      this.threads.set(vu.id, thread);
      vu.onStop = () => thread?.stop();
    }
    return thread;
  }

  /** One iteration of `exec` on the VU's thread; resolves false when it threw or was interrupted. */
  async iterate(vu: VuContext, exec: string, scenario: ScenarioInfo): Promise<boolean> {
    const thread = this.threadFor(vu);
    if (!this.initialised.has(thread)) {
      await thread.ready;
      this.initialised.add(thread);
    }
    const own = this.iterationsByVu.get(thread) ?? Object.assign(new Map<string, number>(), { total: 0 });
    this.iterationsByVu.set(thread, own);
    const counters = {
      instance: own.total ?? 0,
      scenario: own.get(scenario.name) ?? 0,
      test: this.iterationsByScenario.get(scenario.name) ?? 0,
    };
    own.total = counters.instance + 1;
    own.set(scenario.name, counters.scenario + 1);
    this.iterationsByScenario.set(scenario.name, counters.test + 1);
    this.current.set(thread, vu);
    const end = await thread.run(
      this.message(exec, 'vu', thread.idInTest, this.setupData, scenario, counters),
    );
    this.current.set(thread, undefined);
    this.absorb(end);
    if (!end.ok && end.error === undefined) this.interrupted += 1;
    if (end.error !== undefined && !this.errorsShown.has(end.error) && this.errorsShown.size < 10) {
      this.errorsShown.add(end.error);
      this.io.onScriptError(end.error);
    }
    return end.ok;
  }

  private absorb(end: IterationEnd): void {
    for (const sample of end.samples) this.sample(sample);
  }

  private sample(sample: IterationEnd['samples'][number]): void {
    if (sample.metric === 'checks') this.io.metrics.check(sample.value !== 0);
    this.io.k6.add(sample);
  }

  private async answer(thread: VuRunner, call: HostCall): Promise<unknown> {
    if (call.op === 'http') return { responses: await this.http(thread, call.requests, call.samples) };
    return this.answerNow(call);
  }

  private http(runner: VuRunner, requests: WireRequest[], samples: MetricSample[]): Promise<WireResponse[]> {
    for (const sample of samples) this.sample(sample);
    const vu = this.current.get(runner);
    return Promise.all(requests.map((r, i) => this.send(r, vu, i === 0)));
  }

  /** Calls answered at once (a VU thread blocks on them; an inline VU calls them directly). */
  private answerNow(call: Exclude<HostCall, { op: 'http' }>): unknown {
    switch (call.op) {
      case 'samples':
        for (const sample of call.samples) this.sample(sample);
        return {};
      case 'shared-get':
        return { data: this.shared.get(call.name) };
      case 'shared-set':
        if (!this.shared.has(call.name)) this.shared.set(call.name, call.data as unknown[]);
        return {};
      case 'instance':
        return this.instance();
      case 'abort':
        this.io.abort(`test.abort() called by the script: ${call.reason}`);
        return {};
    }
  }

  private instance(): InstanceState {
    const { metrics, now, startedAt } = this.io;
    return {
      vusActive: metrics.vus,
      vusInitialized: this.threads.size + this.spare.length,
      iterationsCompleted: metrics.iterations,
      iterationsInterrupted: this.interrupted,
      currentTestRunDuration: now() - startedAt,
    };
  }

  private send(request: WireRequest, vu: VuContext | undefined, first: boolean): Promise<WireResponse> {
    // An open-model iteration's first request is timed from when it was due (no coordinated omission).
    const startAt = (first ? vu?.intendedStartAt : undefined) ?? this.io.now();
    if (vu && first) vu.intendedStartAt = undefined;
    return sendK6Request(this.io, request, startAt);
  }

  async close(): Promise<void> {
    const all = [...this.threads.values(), ...this.spare];
    this.threads.clear();
    this.spare.length = 0;
    await Promise.all(all.map((t) => t.terminate()));
  }
}
