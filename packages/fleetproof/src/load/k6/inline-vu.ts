import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { runIteration, type VuInstance } from './run-iteration.js';
import { makeConsole, makeOpen } from './script-globals.js';
import type { Transport, VuState } from './vu-state.js';
import type {
  HostCall,
  IterationEnd,
  IterationStart,
  MetricSample,
  WireRequest,
  WireResponse,
} from './wire.js';

/** What an inline VU asks of the host: requests (async) and the calls answered at once. */
export interface InlineHost {
  http(runner: InlineVu, requests: WireRequest[], samples: MetricSample[]): Promise<WireResponse[]>;
  now(call: HostCall): unknown;
}

const PARAMS = [
  '__fpVuInit',
  'require',
  '__ENV',
  '__VU',
  '__ITER',
  'open',
  'console',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
];
type Factory = (...args: unknown[]) => {
  exports: Record<string, unknown>;
  setIter(n: number): void;
  setEnv(e: unknown): void;
};

const factories = new Map<string, Factory>();

/**
 * The rewritten script compiled once as a function; each call makes one VU's instance of it (its modules,
 * its k6 modules, its __ENV/__VU/__ITER and timers), so VUs share a thread but not state. The prologue sits
 * on the bundle's first line so the script's line numbers do not move.
 */
function factory(path: string): Factory {
  let made = factories.get(path);
  if (!made) {
    const prologue =
      '__fpVuInit.installTimers = (t) => { setTimeout = t.setTimeout; clearTimeout = t.clearTimeout; setInterval = t.setInterval; clearInterval = t.clearInterval; };';
    const epilogue =
      '\n;return { exports: __fpScript, setIter: (n) => { __ITER = n; }, setEnv: (e) => { __ENV = e; } };';
    made = compileFunction(prologue + readFileSync(path, 'utf8') + epilogue, PARAMS, {
      filename: path,
    }) as Factory;
    factories.set(path, made);
  }
  return made;
}

class InlineTransport implements Transport {
  readonly blocking = false;
  stopped = false;
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly host: InlineHost,
    private readonly runner: InlineVu,
  ) {}

  http(requests: WireRequest[], samples: MetricSample[]): Promise<WireResponse[]> {
    return this.host.http(this.runner, requests, samples);
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  call<T>(call: HostCall): T {
    return this.host.now(call) as T;
  }

  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
  }
}

export interface InlineScript {
  factoryPath: string;
  scriptPath: string;
  options: Record<string, unknown>;
  env: Record<string, string | undefined>;
  httpTags?: boolean;
}

/** One VU of the fast path: an instance of the rewritten script on the load thread. */
export class InlineVu {
  readonly ready: Promise<void>;
  private readonly transport: InlineTransport;
  private instance: VuInstance | undefined;

  constructor(
    script: InlineScript,
    readonly idInTest: number,
    host: InlineHost,
  ) {
    this.transport = new InlineTransport(host, this);
    let state: VuState | undefined;
    const current = () => state as VuState;
    const env = { ...script.env };
    const init = {
      state: {
        transport: this.transport,
        phase: 'init' as const,
        idInTest,
        scriptPath: script.scriptPath,
        options: script.options,
        httpTags: script.httpTags ?? true,
        env,
      },
      installTimers: () => {},
      created: (s: VuState) => {
        state = s;
      },
    };
    try {
      (globalThis as { __fpVuInit?: unknown }).__fpVuInit = init;
      const made = factory(script.factoryPath)(
        init,
        createRequire(script.factoryPath),
        env,
        idInTest,
        0,
        makeOpen(current),
        makeConsole(current),
      );
      const exports = made.exports;
      this.instance = {
        module: exports,
        state: current(),
        timers: exports.__fpTimers as VuInstance['timers'],
        baseEnv: env,
        setIter: (n) => made.setIter(n),
        setEnv: (e) => made.setEnv(e),
      };
      this.ready = Promise.resolve();
    } catch (error) {
      this.ready = Promise.reject(error);
      this.ready.catch(() => {});
    } finally {
      delete (globalThis as { __fpVuInit?: unknown }).__fpVuInit;
    }
  }

  run(start: IterationStart): Promise<IterationEnd> {
    this.transport.stopped = false;
    if (!this.instance) throw new Error(`VU ${this.idInTest} did not initialise`);
    return runIteration(this.instance, start);
  }

  stop(): void {
    this.transport.stop();
  }

  async terminate(): Promise<number> {
    this.transport.stop();
    return 0;
  }
}
