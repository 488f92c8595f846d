import { CookieJar } from './cookie-jar.js';
import type {
  ExpectedStatuses,
  HostCall,
  IterationStart,
  MetricSample,
  WireRequest,
  WireResponse,
} from './wire.js';

/** Thrown into script code when the host stops the VU: ends the iteration, counted as interrupted. */
export class VuStopped extends Error {
  constructor() {
    super('the VU was stopped');
    this.name = 'VuStopped';
  }
}

/** k6 errors in script terms: thrown where k6 would throw. */
export class K6ScriptError extends Error {}

/**
 * How a VU's k6 calls reach the host. On a VU thread (host-channel.ts) every call blocks; in the fast path
 * (inline-vu.ts, many VUs on the load thread) requests and sleeps return promises the rewritten script awaits.
 */
export interface Transport {
  readonly blocking: boolean;
  http(requests: WireRequest[], samples: MetricSample[]): WireResponse[] | Promise<WireResponse[]>;
  sleep(ms: number): void | Promise<void>;
  readonly stopped: boolean;
  /** Calls answered at once in both runtimes (SharedArray data, instance state, abort). */
  call<T>(call: HostCall): T;
}

/**
 * Everything one VU knows: set up by the runtime before the script's init context runs, read by the
 * k6 modules. Each VU has its own instance of these modules (its own thread, or its own instance of the
 * bundled script in the fast path), so module-level state is per VU, as each k6 VU has its own runtime.
 */
export interface VuState {
  transport: Transport;
  /** 'init' while the module's top level runs (open(), SharedArray and metric declarations allowed). */
  phase: 'init' | IterationStart['stage'];
  idInTest: number;
  scriptPath: string;
  options: Record<string, unknown>;
  /** Whether requests carry their tags to the host (a sub-metric threshold on an HTTP metric reads them). */
  httpTags: boolean;
  /** The environment the VU started with (k6/secrets reads it). */
  env: Record<string, string | undefined>;
  iteration: IterationStart | undefined;
  /** The current group path in k6's form: '' at the root, '::a', '::a::b'. */
  group: string;
  /** exec.vu.tags: added to every sample of this VU. */
  tags: Record<string, string>;
  samples: MetricSample[];
  jar: CookieJar;
  expected: ExpectedStatuses;
  secrets: Set<string>;
}

let state: VuState | undefined;

export function initVuState(
  init: Omit<VuState, 'samples' | 'jar' | 'expected' | 'secrets' | 'group' | 'tags' | 'iteration'>,
): VuState {
  state = {
    ...init,
    iteration: undefined,
    group: '',
    tags: {},
    samples: [],
    jar: new CookieJar(),
    expected: [{ min: 200, max: 399 }],
    secrets: new Set(),
  };
  return state;
}

export function vu(): VuState {
  if (!state) throw new K6ScriptError('k6 modules can only be used inside a script run by fleetproof load');
  return state;
}

/** Samples emitted since the last call, handed to the host with the next call. */
const NO_SAMPLES: readonly MetricSample[] = Object.freeze([]);

export function takeSamples(): MetricSample[] {
  const s = vu();
  const out = s.samples;
  // Most requests follow no sample: hand over a shared empty list instead of allocating one each time.
  if (out.length === 0) return NO_SAMPLES as MetricSample[];
  s.samples = [];
  return out;
}

/** The tags every sample of this VU carries now: scenario and group, then exec.vu.tags. */
export function baseTags(): Record<string, string> {
  const s = vu();
  const tags: Record<string, string> = {
    ...(s.options.tags as Record<string, string> | undefined),
    group: s.group,
  };
  if (s.iteration && s.iteration.stage === 'vu') {
    tags.scenario = s.iteration.scenario.name;
    Object.assign(tags, s.iteration.scenario.tags);
  }
  return Object.assign(tags, s.tags);
}

export function emit(sample: MetricSample): void {
  vu().samples.push(sample);
}

export function requireInit(what: string): void {
  if (vu().phase !== 'init')
    throw new K6ScriptError(
      `${what} can only be called in the init context (the script's top level), as in k6`,
    );
}
