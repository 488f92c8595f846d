import { join } from 'node:path';
import { Balancer } from '../balancer/balancer.js';
import { type Clock, systemClock } from '../clock.js';
import type { FleetproofConfig } from '../config/schema.js';
import type { TimingProfile, TimingProfileName } from '../config/timing-profiles.js';
import { resolveTiming } from '../config/validate.js';
import { ControlServer } from '../control/control-server.js';
import { FleetError } from '../errors.js';
import { AddressAllocator, detectNetwork } from '../fleet/addresses.js';
import { AutoScalingGroup, type FleetEvent } from '../fleet/auto-scaling-group.js';
import { detectCgroups } from '../fleet/cgroups.js';
import { startDatabaseProxy } from '../fleet/database-proxy.js';
import type { Policies } from '../fleet/decide.js';
import { ProcessLauncher } from '../fleet/process-launcher.js';
import { Reaper } from '../fleet/reaper.js';
import type { RefreshState } from '../fleet/types.js';
import { zoneNames } from '../fleet/zones.js';
import { prometheusText } from '../metrics/prometheus.js';
import { RunFolder } from '../metrics/run-folder.js';
import { type SeriesPoint, SeriesSampler } from '../metrics/series-sampler.js';
import { stateDir } from '../project.js';
import { connectionAt, serviceEnvironment } from '../service/connection-env.js';
import { type DeployRequest, deployVersion } from './deploy-version.js';
import { faultHandler } from './fault-handlers.js';
import { migrateOnce, openFleetDatabase, templateEnv } from './fleet-database.js';
import { releaseInProject } from './release-in-project.js';

export interface FleetOptions {
  readonly root: string;
  readonly config: FleetproofConfig;
  readonly profile?: TimingProfileName;
  /** Use this database instead of the config's (tests). */
  readonly databaseUrl?: string;
  /** 0 = any free port (tests). Default: config.balancer.port. */
  readonly balancerPort?: number;
  readonly controlPort?: number;
  /** Extra environment for every instance (an experiment's variant, say). */
  readonly instanceEnv?: Record<string, string>;
  readonly clock?: Clock;
  /** Progress and events, one line at a time. */
  readonly onLine?: (line: string) => void;
  readonly onEvent?: (event: FleetEvent) => void;
  /** Each per-second series point, as it is written to the run folder. */
  readonly onPoint?: (point: SeriesPoint) => void;
}

export interface Fleet {
  readonly balancer: Balancer;
  readonly group: AutoScalingGroup;
  readonly run: RunFolder;
  readonly sampler: SeriesSampler;
  readonly timing: TimingProfile;
  readonly listenerUrl: string;
  readonly controlUrl: string;
  /** undefined when the service has no database. */
  readonly databaseUrl: string | undefined;
  /** How instances are isolated (cgroups, or why not). */
  readonly isolation: string;
  readonly events: FleetEvent[];
  /** Starts a fault (fault-handlers.ts), as POST /fault/<kind> does; returns what it did and when. */
  fault(kind: string, options: Record<string, unknown>): object;
  /** An instance refresh to a version; a release's migrations run first (deploy-version.ts). */
  deploy(request: DeployRequest): Promise<RefreshState>;
  /** Resolves when the fleet has stopped (after stop(), or a `down` through the control API). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

const KEEP_EVENTS = 5000;

/** The region zones and local ARNs are named after: aws.region, else as infra/aws picks it. */
export const awsRegion = (config: FleetproofConfig) =>
  config.aws.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';

function policiesFrom(config: FleetproofConfig, timing: TimingProfile): Policies {
  return {
    scaling: {
      min: config.scaling.min,
      max: config.scaling.max,
      targetCpuPercent: config.scaling.targetCpuPercent,
      scaleOutDatapoints: config.scaling.scaleOutDatapoints,
      scaleInDatapoints: config.scaling.scaleInDatapoints,
      enabled: config.scaling.enabled,
      healthCheckGracePeriodMs: timing.healthCheckGracePeriodSeconds * 1000,
      instanceWarmupMs: timing.instanceWarmupSeconds * 1000,
      metricPeriodMs: timing.metricPeriodSeconds * 1000,
      launchRetryFirstMs: timing.launchRetrySeconds * 1000,
    },
    refresh: {
      minHealthyPercent: config.rollout.minHealthyPercent,
      maxHealthyPercent: config.rollout.maxHealthyPercent,
      skipMatching: config.rollout.skipMatching,
      autoRollback: config.rollout.autoRollback,
      maxFailedLaunches: config.rollout.maxFailedLaunches,
    },
  };
}

/**
 * Starts the whole local tier: database (embedded unless configured otherwise), migrations once, the
 * balancer, the auto scaling group with its instances, per-second metrics, and the control API.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const { config, root } = options;
  const clock = options.clock ?? systemClock;
  const say = options.onLine ?? (() => {});
  const profile = options.profile ?? config.timing.profile;
  const timing = resolveTiming(config, profile);
  const reaper = new Reaper();
  const run = new RunFolder(stateDir(root), clock.now());
  const events: FleetEvent[] = [];
  const record = (event: FleetEvent) => {
    events.push(event);
    if (events.length > KEEP_EVENTS) events.splice(0, events.length - KEEP_EVENTS);
    run.event(event);
    options.onEvent?.(event);
  };

  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step();
    cleanups.length = 0;
  };
  try {
    const db = await openFleetDatabase(root, config, options.databaseUrl, say);
    if (db.database?.embedded) reaper.watchProcess(db.database.embedded.pid, 'SIGINT', 15_000);
    cleanups.push(async () => {
      await db.stop();
      // Stopped: the reaper must not signal that pid later, when the system may have given it to another process.
      if (db.database?.embedded) reaper.forget(db.database.embedded.pid);
    });
    await migrateOnce(root, config, db.connection, say);
    // Instances reach the database through a proxy that faults can slow or cut (database-proxy.ts).
    const proxy = db.connection
      ? await startDatabaseProxy({ toHost: db.connection.host, toPort: Number(db.connection.port) })
      : undefined;
    if (proxy) cleanups.push(() => proxy.close());
    const instanceDb = db.connection && proxy && connectionAt(db.connection, proxy.host, proxy.port);
    const network = detectNetwork(config.instance.network);
    const envScope = templateEnv(root);
    // Fail before any instance starts when a reference cannot be filled.
    serviceEnvironment(config, { db: db.connection, env: envScope });

    const cgroups = detectCgroups();
    const isolation = `${
      cgroups.available
        ? `cgroups: ${config.instance.cpus} vCPU, ${config.instance.memoryMiB} MiB per instance`
        : `instances run unconfined (${cgroups.reason}); CPU % is measured from /proc against ${config.instance.cpus} vCPU`
    }; network: ${network.description}`;

    const balancer = new Balancer({
      clock,
      host: '127.0.0.1',
      port: options.balancerPort ?? config.balancer.port,
      algorithm: config.balancer.algorithm,
      slowStartMs: config.balancer.slowStartSeconds * 1000,
      healthCheck: {
        path: config.healthCheck.path,
        matcher: config.healthCheck.matcher,
        intervalMs: timing.healthCheckIntervalSeconds * 1000,
        timeoutMs: timing.healthCheckTimeoutSeconds * 1000,
      },
      thresholds: config.healthCheck,
      idleTimeoutMs: timing.idleTimeoutSeconds * 1000,
      connectTimeoutMs: timing.connectTimeoutSeconds * 1000,
      deregistrationDelayMs: timing.deregistrationDelaySeconds * 1000,
      retryIdempotentOnce: config.balancer.retryIdempotentOnce,
      outlierEjection: config.balancer.outlierEjection && {
        consecutiveErrors: config.balancer.outlierEjection.consecutiveErrors,
        ejectMs: config.balancer.outlierEjection.ejectSeconds * 1000,
      },
    });
    try {
      await balancer.start();
    } catch (error) {
      throw new FleetError(
        'FLEET_ERR_USAGE',
        `balancer port ${config.balancer.port}: ${(error as Error).message}`,
      );
    }
    cleanups.push(() => balancer.stop());
    balancer.group.on('change', (c: { targetId: string; from: string; to: string; reason?: string }) =>
      record({
        t: clock.now(),
        source: 'target',
        reason: c.reason ?? (c.to === 'healthy' ? 'Target.Healthy' : c.to),
        message: `${c.targetId}: ${c.from} → ${c.to}${c.reason ? ` (${c.reason})` : ''}`,
        data: { instanceId: c.targetId, from: c.from, to: c.to },
      }),
    );
    balancer.group.on('ejected', (e: { targetId: string; untilMs: number }) =>
      record({
        t: clock.now(),
        source: 'balancer',
        reason: 'OutlierEjected',
        message: `${e.targetId} ejected after consecutive errors`,
        data: e,
      }),
    );

    const launcher = new ProcessLauncher({
      command: config.service.command,
      cwd: root,
      env: (database) => ({
        ...serviceEnvironment(config, { db: database, env: envScope }),
        ...options.instanceEnv,
      }),
      database: instanceDb,
      cpus: config.instance.cpus,
      memoryMiB: config.instance.memoryMiB,
      logDir: run.instanceLogDir,
      reaper,
      cgroups,
      terminationGraceMs: timing.terminationGraceSeconds * 1000,
    });
    const group = new AutoScalingGroup({
      clock,
      launcher,
      balancer,
      addresses: await AddressAllocator.create(config.service.port, network),
      policies: policiesFrom(config, timing),
      vCpus: config.instance.cpus,
      initialDesired: config.scaling.desired ?? config.scaling.min,
      zones: zoneNames(config.zones, awsRegion(config)),
      initialAppVersion: config.service.version,
      reconcileIntervalMs: timing.reconcileIntervalSeconds * 1000,
      terminationGraceMs: timing.terminationGraceSeconds * 1000,
      onEvent: record,
    });
    cleanups.push(() => group.shutdown());

    const sampler = new SeriesSampler(clock, balancer, group, (point) => {
      run.point(point);
      options.onPoint?.(point);
    });
    sampler.start();
    cleanups.push(() => sampler.stop());

    let resolveStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      resolveStopped = resolve;
    });
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        say('stopping: draining and terminating instances, then the balancer and the database');
        await cleanup();
        await run.close();
        reaper.close();
        resolveStopped();
      })();
      return stopping;
    };

    const deploy = (request: DeployRequest) =>
      deployVersion(
        { root, config, connection: db.connection, group, now: () => clock.now(), record, say },
        request,
      );
    const fault = faultHandler({ group, config, timing, db, proxy, reaper, clock, record });
    const control = new ControlServer(run.token, {
      status: () => ({
        runId: run.runId,
        listenerUrl: balancer.url,
        healthCheckPath: config.healthCheck.path,
        targetCpuPercent: config.scaling.targetCpuPercent,
        hasDatabase: db.connection !== undefined,
        isolation,
        profile,
        group: group.status(),
        latest: sampler.latest,
      }),
      scale: (desired) => {
        group.setDesired(desired);
        return group.status();
      },
      deploy: ({ version, release }) =>
        deploy({ version, release: release && releaseInProject(root, release) }),
      deployStatus: (id) => {
        const refresh = group.refreshStatus(id);
        return refresh && { refresh, group: group.status() };
      },
      events: (since) => events.filter((e) => e.t > since),
      metrics: () => prometheusText(group.status(), sampler),
      down: () => void stop(),
      fault,
      terminate: (instanceId) => group.terminateInstance(instanceId),
    });
    const controlUrl = await control.start(options.controlPort ?? 0);
    cleanups.push(() => control.stop());
    run.writeInfo({ startedAt: clock.now(), listenerUrl: balancer.url, controlUrl, profile });
    group.start();

    return {
      balancer,
      group,
      run,
      sampler,
      timing,
      listenerUrl: balancer.url,
      controlUrl,
      databaseUrl: db.connection?.url,
      isolation,
      events,
      fault,
      deploy,
      stopped,
      stop,
    };
  } catch (error) {
    await cleanup();
    await run.close();
    reaper.close();
    throw error;
  }
}

/** Waits until the group has `count` healthy targets (or throws after `timeoutMs`). */
export async function waitForHealthy(fleet: Fleet, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fleet.balancer.group.all().filter((t) => t.state === 'healthy').length >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const states =
    fleet.balancer.group
      .all()
      .map((t) => `${t.id}=${t.state}`)
      .join(', ') || 'no targets';
  throw new FleetError(
    'FLEET_ERR_SERVICE_START',
    `${count} healthy target(s) not reached within ${timeoutMs} ms (${states}); instance logs: ${join(fleet.run.dir, 'instances')}`,
  );
}
