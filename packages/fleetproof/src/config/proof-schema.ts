import { z } from 'zod';

/**
 * The `proof` section: what `fleetproof prove` drives and judges for the user's service. Nothing here knows
 * any particular service: routes, variables and tables come from the user's config.
 */

const seconds = (max: number) =>
  z.number().positive('seconds, more than 0').max(max, `seconds, at most ${max}`);
const rate = z.number().positive('arrivals per second, more than 0').max(100_000, 'arrivals per second');

/** Which load the experiments drive: a scenario of `scenarios`, or a k6 script / Artillery YAML file. */
const loadRef = z
  .object({
    scenario: z.string().min(1).optional(),
    script: z.string().min(1).optional(),
  })
  .strict()
  .refine((v) => (v.scenario === undefined) !== (v.script === undefined), {
    message: 'exactly one of { scenario: NAME } or { script: PATH }',
  });

export const serviceLevelSchema = z
  .object({
    /** The 99th percentile of request duration must stay at or under this. */
    p99Ms: z.number().positive('milliseconds, more than 0').optional(),
    /** Failed requests (status outside 200–399, or a transport error) as a fraction of all requests. */
    maxErrorRate: z.number().min(0, 'a fraction from 0 to 1').max(1, 'a fraction from 0 to 1').optional(),
  })
  .strict();

const requestTemplate = z
  .object({
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'an HTTP method in capitals, e.g. "POST"')
      .default('GET'),
    /**
     * A path (sent through the balancer) or an absolute URL. `{{ id }}` is the id of the write; `{{ token }}`
     * (in the URL or the body) is a value unique to each write, which a read-back must then show.
     */
    url: z.string().min(1),
    headers: z.record(z.string(), z.string()).optional(),
    json: z.unknown().optional(),
    body: z.string().optional(),
  })
  .strict();

const writeSchema = z
  .object({
    /** The write: its 2xx response carries the id of what was written. */
    request: requestTemplate,
    /** Where the id is in the JSON response (JSONPath subset: `$.id`, `$.data.items[0].id`). */
    id: z.string().startsWith('$', 'a JSONPath starting with $, e.g. "$.id"'),
    /** How to read it back: an HTTP request that must answer 2xx, or an SQL query ($1 = id) that must return a row. */
    readBack: z
      .object({ request: requestTemplate.optional(), sql: z.string().min(1).optional() })
      .strict()
      .refine((v) => (v.request === undefined) !== (v.sql === undefined), {
        message: 'exactly one of { request: {...} } or { sql: "SELECT ... $1" }',
      }),
  })
  .strict();

/** A row of someone else's figures shown beside the measured ones (a field report, a previous run). */
const referenceRow = z
  .object({ label: z.string().min(1), figures: z.record(z.string(), z.string()) })
  .strict();

/** What every experiment may set. */
const common = {
  /** Replaces proof.load for this experiment. */
  load: loadRef.optional(),
  serviceLevel: serviceLevelSchema.optional(),
  /** Instance size for this experiment's fleets (shallow over `instance`). */
  instance: z
    .object({ cpus: z.number().min(0.05).max(64).optional(), memoryMiB: z.number().int().min(32).optional() })
    .strict()
    .optional(),
  balancer: z
    .object({ algorithm: z.enum(['round_robin', 'least_outstanding_requests']).optional() })
    .strict()
    .optional(),
  /** Environment for every instance of this experiment. */
  env: z.record(z.string(), z.string()).optional(),
  /** Where this experiment comes from and what it claimed (shown in the report). */
  about: z.string().optional(),
  reference: z.array(referenceRow).optional(),
};

const capacity = z
  .object({
    ...common,
    /** Arrivals per second of the load's flows: the ramp one instance runs until it breaks. */
    ramp: z
      .object({
        from: rate.default(1),
        to: rate.default(3000),
        seconds: seconds(3600).default(30),
      })
      .strict()
      .default({ from: 1, to: 3000, seconds: 30 }),
    /** How long the fleet holds the load that broke one instance. */
    holdSeconds: seconds(3600).default(10),
    fleet: z
      .object({ min: z.number().int().min(1).max(100), max: z.number().int().min(1).max(100) })
      .strict()
      .optional(),
  })
  .strict();

const scale = z
  .object({
    ...common,
    /** Arrivals per second that push CPU over target; unset: found by calibration runs on one instance. */
    rate: rate.optional(),
    holdSeconds: seconds(3600).default(24),
    /** Light traffic kept up during the scale-in (arrivals per second), to see that it fails nothing. */
    probeRate: rate.default(2),
    /** Calibration ramp ceiling (arrivals per second). */
    calibrateTo: rate.default(2000),
  })
  .strict();

const steady = {
  rate: rate.default(10),
  seconds: seconds(3600).default(24),
};

const deploy = z
  .object({
    ...common,
    ...steady,
    deployAfterSeconds: seconds(3600).default(5),
    /**
     * A git ref to deploy (a branch, tag or commit): its release is built with service.build, migrated on a
     * scratch database the running version also uses, and rolled out. Absent: the same build with the next
     * APP_VERSION.
     */
    ref: z.string().min(1).optional(),
    /** The new version's APP_VERSION (default: the ref's short sha, or the next version). */
    version: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, dot, dash or underscore (1-64)')
      .optional(),
    /** Optional: a page that names the version, read every 200 ms as a person refreshing a browser would. */
    probe: z
      .object({ url: z.string().min(1), bodyIncludes: z.string().includes('{{ version }}') })
      .strict()
      .optional(),
  })
  .strict();

const crash = z
  .object({
    ...common,
    ...steady,
    instances: z.number().int().min(2).max(20).default(2),
    crashAfterSeconds: seconds(3600).default(5),
  })
  .strict();

const writes = z
  .object({
    ...common,
    writers: z.number().int().min(1).max(64).default(4),
  })
  .strict();

/** A variant metric and a comparison: `'> 0'`, `'== 0'`, `'< 50'`. */
const expectation = z
  .string()
  .regex(/^\s*(<=|>=|==|!=|<|>)\s*-?\d+(\.\d+)?\s*$/, 'a comparison such as "> 0", "== 0" or "< 50"');

export const VARIANT_METRICS = [
  'requests',
  'failedRequests',
  'errorRate',
  'p99Ms',
  'fiveXx',
  'unhealthyTransitions',
  /** 1 when a target went unhealthy before the group first scaled out (or it never did), else 0. */
  'unhealthyBeforeScaleOut',
  'scaleOuts',
  'peakInstances',
  'peakCpuPercent',
  'meanCpuPercent',
  'longestCpuBreach',
] as const;
export type VariantMetric = (typeof VARIANT_METRICS)[number];

const variant = z
  .object({
    ...common,
    scaling: z
      .object({ min: z.number().int().min(1), max: z.number().int().min(1) })
      .strict()
      .optional(),
    runs: z
      .array(
        z
          .object({
            name: z.string().min(1),
            env: z.record(z.string(), z.string()).default({}),
            expect: z.partialRecord(z.enum(VARIANT_METRICS), expectation).default({}),
          })
          .strict(),
      )
      .min(2, 'at least two runs to compare'),
  })
  .strict();

/** The faults a running fleet takes (`fleetproof fault <kind>`, and the `faults` experiment). */
export const FAULT_KINDS = ['hang', 'az-outage', 'launch-failure', 'db-restart', 'db-latency'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const faults = z
  .object({
    ...common,
    /** Which faults, each on a fleet of its own under the same steady load. Default: every one. */
    kinds: z
      .array(z.enum(FAULT_KINDS))
      .min(1)
      .refine((k) => new Set(k).size === k.length, 'each kind once')
      .default([...FAULT_KINDS]),
    rate: rate.default(10),
    instances: z.number().int().min(2).max(20).default(2),
    /** When each fault starts, after the load. */
    faultAfterSeconds: seconds(3600).default(4),
    /** How long az-outage, launch-failure and db-latency last. */
    forSeconds: seconds(3600).default(6),
    /** db-restart: how long the database stays down. */
    downSeconds: z.number().min(0).max(3600).default(2),
    /** db-restart: the service must fail nothing from this long after the database is back. */
    recoverWithinSeconds: seconds(3600).default(10),
    /** db-latency: added to every round trip (± jitter). */
    latencyMs: z.number().min(0).max(60_000).default(200),
    jitterMs: z.number().min(0).max(60_000).default(0),
  })
  .strict();

const off = z.literal(false);

export const proofSchema = z
  .object({
    /** The load every experiment drives (each may override it). */
    load: loadRef,
    serviceLevel: serviceLevelSchema.default({}),
    /** Optional: a write whose every acknowledgement must survive a crash and a deploy. */
    write: writeSchema.optional(),
    experiments: z
      .object({
        capacity: z.union([off, capacity]).prefault({}),
        scale: z.union([off, scale]).prefault({}),
        deploy: z.union([off, deploy]).prefault({}),
        crash: z.union([off, crash]).prefault({}),
        writes: z.union([off, writes]).prefault({}),
        variant: variant.optional(),
        /** Off unless configured: hang, az-outage, launch-failure, db-restart, db-latency under load. */
        faults: faults.optional(),
      })
      .strict()
      // prefault, not default: zod 4 returns a default as it is, and the experiments' own defaults must apply.
      .prefault({}),
  })
  .strict();

export type ProofConfig = z.output<typeof proofSchema>;
export type ServiceLevelInput = z.output<typeof serviceLevelSchema>;
export type LoadRef = z.output<typeof loadRef>;
export type RequestTemplate = z.output<typeof requestTemplate>;
export type WriteConfig = z.output<typeof writeSchema>;
export type CapacitySettings = z.output<typeof capacity>;
export type ScaleSettings = z.output<typeof scale>;
export type DeploySettings = z.output<typeof deploy>;
export type CrashSettings = z.output<typeof crash>;
export type FaultsSettings = z.output<typeof faults>;
export type WritesSettings = z.output<typeof writes>;
export type VariantSettings = z.output<typeof variant>;
export type ReferenceRow = z.output<typeof referenceRow>;
