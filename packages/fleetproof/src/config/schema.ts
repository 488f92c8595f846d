import { z } from 'zod';
import { proofSchema } from './proof-schema.js';
import { TIMING_PROFILES } from './timing-profiles.js';

const command = z.array(z.string().min(1)).min(1, 'a command as an array, e.g. ["node", "dist/main.js"]');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
const positiveSeconds = (max: number) =>
  z.number().positive(`seconds, more than 0`).max(max, `seconds, at most ${max}`);
const percent = (min: number, max: number) =>
  z
    .number()
    .int(`a whole percentage from ${min} to ${max}`)
    .min(min, `a whole percentage from ${min} to ${max}`)
    .max(max, `a whole percentage from ${min} to ${max}`);
const count = (min: number, max: number) =>
  z
    .number()
    .int(`a whole number from ${min} to ${max}`)
    .min(min, `a whole number from ${min} to ${max}`)
    .max(max, `a whole number from ${min} to ${max}`);

/** ALB matcher: a code, a list (`200,202`) or a range (`200-299`), codes 200–499. */
const matcher = z
  .string()
  .regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, 'HTTP codes 200-499 as "200", "200,202" or "200-299"')
  .refine(
    (value) => value.split(/[,-]/).every((code) => Number(code) >= 200 && Number(code) <= 499),
    'HTTP codes 200-499 as "200", "200,202" or "200-299"',
  );

const timingOverrides = z
  .object({
    healthCheckIntervalSeconds: z.number().min(0.1).max(300),
    healthCheckTimeoutSeconds: z.number().min(0.05).max(120),
    deregistrationDelaySeconds: z.number().min(0).max(3600),
    idleTimeoutSeconds: z.number().min(0.1).max(4000),
    connectTimeoutSeconds: z.number().min(0.05).max(60),
    healthCheckGracePeriodSeconds: z.number().min(0).max(7200),
    instanceWarmupSeconds: z.number().min(0).max(3600),
    metricPeriodSeconds: z.number().min(0.1).max(3600),
    terminationGraceSeconds: z.number().min(0).max(3600),
    reconcileIntervalSeconds: z.number().min(0.01).max(60),
    launchRetrySeconds: z.number().min(0.1).max(3600),
  })
  .partial()
  .strict();

export const configSchema = z
  .object({
    service: z
      .object({
        name: z
          .string()
          .regex(/^[a-z][a-z0-9-]{0,31}$/, 'lowercase letters, digits and dashes, starting with a letter'),
        /**
         * Starts one instance; it gets PORT and HOST (it may listen on all interfaces when instances have
         * network namespaces). Relative paths resolve from the project root.
         */
        command,
        port: count(1, 65535),
        version: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, dot, dash or underscore (1-64)'),
        /** Values may use {{ db.host }}, {{ db.port }}, {{ db.user }}, {{ db.password }}, {{ db.name }}, {{ db.url }} and {{ env.NAME }} (the environment or .env). */
        env: z.record(z.string(), z.string()).default({}),
        dockerfile: z.string().optional(),
        /**
         * Run once per release (`fleetproof deploy --ref`) in that commit's folder before its instances start,
         * e.g. "npm ci && npm run build". A string runs through /bin/sh; an array runs as it is.
         */
        build: z
          .union([z.string().min(1, 'a shell command, e.g. "npm ci && npm run build"'), command])
          .optional(),
      })
      .strict(),
    /** Absent: the service has no database and fleetproof starts none. */
    database: z
      .object({
        /** `embedded`: fleetproof runs PostgreSQL in .fleetproof/; `url`: use `url` (or $DATABASE_URL). */
        mode: z.enum(['embedded', 'url']).default('embedded'),
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL')
          .optional(),
        /** Run once before the fleet starts (instances may also migrate at start; an advisory lock makes it safe). */
        migrateCommand: command.optional(),
        /**
         * The variable names the service reads the connection from, for services that do not read
         * DATABASE_URL: e.g. { host: 'DB_HOST', port: 'DB_PORT', user: 'DB_USER', password: 'DB_PASS', name: 'DB_NAME' }.
         */
        env: z
          .object({
            url: envName.default('DATABASE_URL'),
            host: envName.optional(),
            port: envName.optional(),
            user: envName.optional(),
            password: envName.optional(),
            name: envName.optional(),
          })
          .strict()
          .default({ url: 'DATABASE_URL' }),
      })
      .strict()
      .optional(),
    instance: z
      .object({
        /** CPU quota per instance, in vCPUs (Docker's --cpus). */
        cpus: z.number().min(0.05, 'vCPUs, at least 0.05').max(64, 'vCPUs, at most 64').default(1),
        memoryMiB: count(32, 1_048_576).default(512),
        /** The EC2 type the AWS deployment uses. */
        awsInstanceType: z
          .string()
          .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type such as t4g.small')
          .default('t4g.small'),
        /**
         * How each instance gets a network identity of its own. `namespace`: a network namespace per instance
         * (its own address, the service's port, as EC2 instances have; needs root and `ip netns`); `ports`:
         * 127.0.0.1 with a distinct PORT each; `auto`: namespace where possible, else ports.
         */
        network: z.enum(['auto', 'namespace', 'ports']).default('auto'),
      })
      .strict()
      .default({ cpus: 1, memoryMiB: 512, awsInstanceType: 't4g.small', network: 'auto' }),
    healthCheck: z
      .object({
        path: z.string().startsWith('/', 'a path starting with /').default('/'),
        matcher: matcher.default('200'),
        healthyThreshold: count(2, 10).default(5),
        unhealthyThreshold: count(2, 10).default(2),
      })
      .strict()
      .default({ path: '/', matcher: '200', healthyThreshold: 5, unhealthyThreshold: 2 }),
    balancer: z
      .object({
        /** The listener, on 127.0.0.1 (the ALB's port 80). */
        port: count(1, 65535).default(8080),
        algorithm: z.enum(['round_robin', 'least_outstanding_requests']).default('round_robin'),
        /** 0 = off, else 30–900 (ALB); linear ramp of a new target's share. Not with least outstanding requests. */
        slowStartSeconds: z
          .number()
          .refine((v) => v === 0 || (v >= 30 && v <= 900), '0 (off) or 30-900 seconds')
          .default(0),
        /** Beyond ALB, off by default: retry an idempotent request once on another target after connect failure/reset. */
        retryIdempotentOnce: z.boolean().default(false),
        /** Beyond ALB, off by default: eject a target after this many consecutive 5xx or connect errors. */
        outlierEjection: z
          .object({
            consecutiveErrors: count(1, 1000).default(5),
            ejectSeconds: positiveSeconds(3600).default(30),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({ port: 8080, algorithm: 'round_robin', slowStartSeconds: 0, retryIdempotentOnce: false }),
    /**
     * The group's availability zones: a count (named as AWS names a region's zones: us-east-1a, …) or the
     * names. Launches spread over them, scale-in takes from the fullest first, `fault az-outage` takes one down.
     */
    zones: z
      .union([
        z.number().int().min(1).max(6),
        z
          .array(z.string().regex(/^[a-z0-9-]+$/, 'a zone name such as eu-west-1a'))
          .min(1)
          .max(6)
          .refine((names) => new Set(names).size === names.length, 'distinct names'),
      ])
      .default(2),
    scaling: z
      .object({
        min: count(0, 100).default(1),
        max: count(1, 100).default(2),
        desired: count(0, 100).optional(),
        targetCpuPercent: z
          .number()
          .gt(0, 'a percentage above 0')
          .max(100, 'a percentage up to 100')
          .default(50),
        /** Consecutive datapoints above target before scaling out (AWS target tracking: 3). */
        scaleOutDatapoints: count(1, 100).default(3),
        /** Consecutive datapoints below target before scaling in (AWS target tracking: 15). */
        scaleInDatapoints: count(1, 1000).default(15),
        enabled: z.boolean().default(true),
      })
      .strict()
      .default({
        min: 1,
        max: 2,
        targetCpuPercent: 50,
        scaleOutDatapoints: 3,
        scaleInDatapoints: 15,
        enabled: true,
      }),
    rollout: z
      .object({
        strategy: z.enum(['instance-refresh', 'codedeploy']).default('instance-refresh'),
        minHealthyPercent: percent(0, 100).default(100),
        /** > 100: launch replacements before terminating (zero downtime even with one instance). */
        maxHealthyPercent: percent(100, 200).default(200),
        skipMatching: z.boolean().default(true),
        /** Roll back to the previous version when new instances keep failing health checks. */
        autoRollback: z.boolean().default(true),
        /** New-version instances that may fail before the refresh fails. */
        maxFailedLaunches: count(1, 100).default(3),
        codedeployConfig: z.enum(['OneAtATime', 'HalfAtATime', 'AllAtOnce']).default('OneAtATime'),
      })
      .strict()
      .default({
        strategy: 'instance-refresh',
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
        skipMatching: true,
        autoRollback: true,
        maxFailedLaunches: 3,
        codedeployConfig: 'OneAtATime',
      }),
    timing: z
      .object({
        profile: z.enum(Object.keys(TIMING_PROFILES) as ['aws', 'fast']).default('fast'),
        aws: timingOverrides.default({}),
        fast: timingOverrides.default({}),
      })
      .strict()
      .default({ profile: 'fast', aws: {}, fast: {} }),
    /** The AWS deployment (infra/aws), and the names of `up`'s AWS-compatible endpoint. */
    aws: z
      .object({
        /** The region zones and ARNs are named after; default $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1. */
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
          .optional(),
        /** An ACM certificate ARN: HTTPS on 443, HTTP redirects to it. */
        certificateArn: z
          .string()
          .regex(/^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, 'an ACM certificate ARN')
          .optional(),
        databaseInstanceType: z
          .string()
          .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'an RDS instance class such as db.t4g.micro')
          .default('db.t4g.micro'),
        databaseMultiAz: z.boolean().default(false),
      })
      .strict()
      .default({ databaseInstanceType: 'db.t4g.micro', databaseMultiAz: false }),
    /** The Kubernetes deployment (infra/k8s) only. */
    k8s: z
      .object({
        /** The cluster's Kubernetes minor version: decides e.g. whether preStop can use the native `sleep` (1.30+). */
        version: z
          .string()
          .regex(/^1\.\d{1,2}$/, 'a Kubernetes minor version such as "1.32"')
          .default('1.32'),
        namespace: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label (lowercase letters, digits, dashes)')
          .optional(),
        /** The image repository, without a tag: the tag is service.version. Default: service.name. */
        image: z
          .string()
          .regex(
            /^[a-z0-9][a-z0-9._/:-]*[a-z0-9]$/,
            'an image repository such as ghcr.io/acme/notes, without a tag',
          )
          .refine((v) => !/:[^/]*$/.test(v) || /^[^/]+:\d+\//.test(v), 'no tag: the tag is service.version')
          .optional(),
        /** `alb`: an Ingress for the AWS Load Balancer Controller, with the target group's health check and drain. */
        ingress: z.enum(['none', 'alb']).default('none'),
        /** A liveness probe on its own route (never the readiness route: a slow dependency must not restart pods). */
        livenessPath: z.string().startsWith('/', 'a path starting with /').optional(),
        /**
         * How long a terminating pod keeps serving before it gets SIGTERM: endpoints and the load balancer stop
         * routing to it only some seconds after it starts terminating.
         */
        preStopSleepSeconds: count(0, 600).default(15),
        /** The Secret holding the database URL (key `url`). Default: <service.name>-database. */
        databaseSecret: z
          .string()
          .regex(
            /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
            'a Secret name (lowercase letters, digits, dashes, dots)',
          )
          .optional(),
        /** The non-root user the containers run as (1000: the official Node images' `node`). */
        runAsUser: count(1, 2_147_483_647).default(1000),
        /** The image `fleetproof k8s load` runs each segment in (it runs `npx fleetproof@<this version> load`). */
        loadImage: z.string().min(1).default('node:22-slim'),
      })
      .strict()
      .default({
        version: '1.32',
        ingress: 'none',
        preStopSleepSeconds: 15,
        runAsUser: 1000,
        loadImage: 'node:22-slim',
      }),
    /** Load scenarios (the load generator's section). */
    scenarios: z.record(z.string(), z.unknown()).default({}),
    /** What `fleetproof prove` drives and judges (see proof-schema.ts). */
    proof: proofSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { min, max, desired } = config.scaling;
    if (min > max)
      ctx.addIssue({
        code: 'custom',
        path: ['scaling', 'min'],
        message: `at most scaling.max (${max})`,
        input: min,
      });
    if (desired !== undefined && (desired < min || desired > max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scaling', 'desired'],
        message: `between scaling.min (${min}) and scaling.max (${max})`,
        input: desired,
      });
    }
    const { minHealthyPercent, maxHealthyPercent } = config.rollout;
    if (maxHealthyPercent - minHealthyPercent > 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['rollout', 'maxHealthyPercent'],
        message: `at most minHealthyPercent + 100 (${minHealthyPercent + 100}), as AWS requires`,
        input: maxHealthyPercent,
      });
    }
    if (minHealthyPercent === 100 && maxHealthyPercent === 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['rollout', 'maxHealthyPercent'],
        message: 'more than 100 when minHealthyPercent is 100, or no instance could ever be replaced',
        input: maxHealthyPercent,
      });
    }
    if (config.balancer.slowStartSeconds > 0 && config.balancer.algorithm === 'least_outstanding_requests') {
      ctx.addIssue({
        code: 'custom',
        path: ['balancer', 'slowStartSeconds'],
        message: '0 with least_outstanding_requests (ALB does not combine them)',
        input: config.balancer.slowStartSeconds,
      });
    }
    if (config.database?.mode === 'url' && !config.database.url && !process.env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'url'],
        message: 'a URL (or $DATABASE_URL) when mode is "url"',
        input: undefined,
      });
    }
    const proof = config.proof;
    if (proof) {
      const loads: [string[], { scenario?: string | undefined } | undefined][] = [
        [['proof', 'load'], proof.load],
      ];
      for (const [name, settings] of Object.entries(proof.experiments)) {
        if (settings) loads.push([['proof', 'experiments', name, 'load'], settings.load]);
      }
      for (const [path, load] of loads) {
        if (load?.scenario !== undefined && !Object.hasOwn(config.scenarios, load.scenario)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'scenario'],
            message: `the name of a scenario in scenarios (${Object.keys(config.scenarios).join(', ') || 'none defined'})`,
            input: load.scenario,
          });
        }
      }
      if (proof.write?.readBack.sql && !config.database) {
        ctx.addIssue({
          code: 'custom',
          path: ['proof', 'write', 'readBack', 'sql'],
          message: "a database section (an SQL read-back needs the fleet's database), or readBack.request",
          input: proof.write.readBack.sql,
        });
      }
    }
    for (const name of ['aws', 'fast'] as const) {
      const timing = { ...TIMING_PROFILES[name], ...config.timing[name] };
      if (timing.healthCheckTimeoutSeconds >= timing.healthCheckIntervalSeconds) {
        ctx.addIssue({
          code: 'custom',
          path: ['timing', name, 'healthCheckTimeoutSeconds'],
          message: `less than the health check interval (${timing.healthCheckIntervalSeconds} s)`,
          input: timing.healthCheckTimeoutSeconds,
        });
      }
    }
  });

/** What the user writes (defaults optional). */
export type FleetproofConfigInput = z.input<typeof configSchema>;
/** What fleetproof works with (defaults applied). */
export type FleetproofConfig = z.output<typeof configSchema>;
