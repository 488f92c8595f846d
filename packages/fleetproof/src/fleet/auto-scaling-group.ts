import type { Balancer } from '../balancer/balancer.js';
import type { Clock } from '../clock.js';
import { FleetError } from '../errors.js';
import { portOpen } from '../util/port-open.js';
import type { AddressAllocator } from './addresses.js';
import { CpuDatapoints } from './cpu-datapoints.js';
import { decide, type Policies } from './decide.js';
import { pickFaultTarget } from './fault-target.js';
import { applyRequest, type GroupRequest } from './group-requests.js';
import { describeGroup, type GroupStatus } from './group-status.js';
import { newInstanceId } from './instance-id.js';
import { isActive, isWarming } from './instance-predicates.js';
import type { InstanceProcess, Launcher } from './process-launcher.js';
import type {
  Action,
  ClosedZone,
  GroupState,
  InstanceView,
  ReasonCode,
  RefreshPolicy,
  RefreshState,
  ReleaseSource,
} from './types.js';

export interface FleetEvent {
  readonly t: number;
  readonly source: 'asg' | 'target' | 'instance' | 'balancer' | 'release' | 'fault';
  readonly reason: string;
  readonly message: string;
  readonly data?: object;
}

export interface AutoScalingGroupOptions {
  readonly clock: Clock;
  readonly launcher: Launcher;
  readonly balancer: Balancer;
  readonly addresses: AddressAllocator;
  readonly policies: Policies;
  readonly vCpus: number;
  readonly initialDesired: number;
  readonly initialAppVersion: string;
  /** The group's availability zones (zones.ts). */
  readonly zones: readonly string[];
  readonly reconcileIntervalMs: number;
  readonly terminationGraceMs: number;
  readonly onEvent: (event: FleetEvent) => void;
}

export interface InstanceRecord {
  view: InstanceView;
  readonly process: InstanceProcess;
  readonly appVersion: string;
  /** The release it runs (deploy --ref); undefined: the project's own folder. */
  readonly release: ReleaseSource | undefined;
  /** SIGSTOPped by a hang fault: it gets SIGCONT after SIGTERM, so the shutdown reaches it, as on EC2. */
  hung?: boolean;
  /** Set once termination starts; everyone who wants the instance gone awaits the same sequence. */
  terminated?: Promise<void>;
}

/**
 * The thin shell around decide(): every tick it observes (process liveness, target health, CPU
 * datapoints), decides, acts (launch, graceful termination) and records each decision as an event.
 */
export class AutoScalingGroup {
  private state: GroupState;
  private readonly records = new Map<string, InstanceRecord>();
  /** Launch template versions: index = version number, value = the APP_VERSION it launches. */
  private readonly templates: string[];
  /** The release each launch template version starts from (undefined: the project's own folder). */
  private readonly releases: (ReleaseSource | undefined)[] = [undefined, undefined];
  private readonly cpu: CpuDatapoints;
  private readonly refreshes = new Map<string, RefreshState>();
  private timer: NodeJS.Timeout | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Timers that end zone faults; cleared at shutdown. */
  private readonly faultTimers = new Set<NodeJS.Timeout>();
  /** The running policies: UpdateAutoScalingGroup and PutScalingPolicy change them (group-requests.ts). */
  private policies: Policies;

  constructor(private readonly options: AutoScalingGroupOptions) {
    this.policies = options.policies;
    const now = options.clock.now();
    this.templates = ['', options.initialAppVersion];
    this.state = {
      desired: options.initialDesired,
      launchVersion: 1,
      instances: [],
      refresh: undefined,
      lastCapacityChangeAt: now,
      lastEvaluatedDatapointAt: now,
      zones: options.zones,
      closedZones: [],
      launchFailures: undefined,
    };
    const keep =
      Math.max(options.policies.scaling.scaleInDatapoints, options.policies.scaling.scaleOutDatapoints) + 5;
    this.cpu = new CpuDatapoints(options.policies.scaling.metricPeriodMs, keep, now);
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.reconcileIntervalMs);
    this.sampler = setInterval(() => this.sampleCpu(), 1000);
  }

  /** One reconcile: observe → decide → act → record. Safe to call at any time. */
  tick(): void {
    if (this.stopping) return;
    const now = this.options.clock.now();
    this.observe();
    const decision = decide(this.state, this.policies, this.cpu.datapoints, now);
    this.state = decision.state;
    if (decision.state.refresh) this.refreshes.set(decision.state.refresh.id, decision.state.refresh);
    for (const event of decision.events) this.emit('asg', event.reason, event.message, event.data);
    for (const action of decision.actions) this.act(action);
  }

  setDesired(desired: number): void {
    const { min, max } = this.policies.scaling;
    if (!Number.isInteger(desired) || desired < min || desired > max) {
      throw new FleetError(
        'FLEET_ERR_USAGE',
        `desired capacity: got ${desired}, expected a whole number from ${min} to ${max}`,
      );
    }
    const before = this.state.desired;
    this.state = { ...this.state, desired, lastCapacityChangeAt: this.options.clock.now() };
    this.emit('asg', 'ManualScale', `desired ${before} → ${desired} (set by hand)`, { desired });
    this.tick();
  }

  /**
   * Starts an instance refresh to a new app version (built from a release, or the same build with another
   * APP_VERSION); returns its state (see refreshStatus).
   */
  startRefresh(appVersion: string, release?: ReleaseSource, policy?: RefreshPolicy): RefreshState {
    this.assertNoRefresh();
    const now = this.options.clock.now();
    const fromVersion = this.state.launchVersion;
    const toVersion = this.templates.push(appVersion) - 1;
    this.releases[toVersion] = release;
    const totalToReplace = this.state.instances.filter(
      (i) =>
        isActive(i) &&
        (this.templates[i.templateVersion] !== appVersion ||
          this.releases[i.templateVersion]?.sha !== release?.sha),
    ).length;
    const refresh: RefreshState = {
      id: `ir-${now.toString(36)}`,
      fromVersion,
      toVersion,
      startedAt: now,
      failedLaunches: 0,
      status: 'in-progress',
      totalToReplace,
      ...(policy ? { policy } : {}),
    };
    this.state = { ...this.state, launchVersion: toVersion, refresh };
    this.refreshes.set(refresh.id, refresh);
    this.emit(
      'asg',
      'RefreshStarted',
      `instance refresh ${refresh.id}: ${this.templates[fromVersion]} → ${appVersion}, ${totalToReplace} to replace`,
      {
        refreshId: refresh.id,
      },
    );
    this.tick();
    return this.refreshes.get(refresh.id) ?? refresh;
  }

  /** Throws while an instance refresh runs (one at a time, as AWS allows). */
  assertNoRefresh(): void {
    if (this.state.refresh?.status === 'in-progress') {
      throw new FleetError(
        'FLEET_ERR_REFRESH_IN_PROGRESS',
        `instance refresh ${this.state.refresh.id} is still in progress`,
      );
    }
  }

  /**
   * The hang fault: the instance's whole process group stopped (SIGSTOP). It keeps its sockets, so connections
   * open and then nothing answers, as with a frozen host; only the health checks' timeouts can find it.
   */
  hang(instanceId: string | undefined): { instanceId: string; at: number } {
    const id = pickFaultTarget(this.status().instances, instanceId);
    const record = this.records.get(id);
    if (!record) throw new FleetError('FLEET_ERR_USAGE', `--instance: ${id} is gone`);
    record.hung = true;
    record.process.signal('SIGSTOP');
    const at = this.options.clock.now();
    this.emit('fault', 'FaultHang', `${id} hung (SIGSTOP to its process group)`, { instanceId: id });
    return { instanceId: id, at };
  }

  /**
   * A zone fault for `forMs`: launches in `zones` fail (EC2's InsufficientInstanceCapacity, or the zone is
   * down) and, for an outage, every instance there stops at once (SIGKILL: a power interruption gives no
   * shutdown). The group sees them exit and replaces them in the zones left; when the fault ends, its
   * rebalancing evens the zones out again.
   */
  closeZones(
    zones: readonly string[],
    cause: ClosedZone['cause'],
    forMs: number,
  ): { stopped: string[]; at: number } {
    const unknown = zones.filter((z) => !this.state.zones.includes(z));
    if (unknown.length > 0 || zones.length === 0)
      throw new FleetError(
        'FLEET_ERR_USAGE',
        `zone: got ${JSON.stringify(unknown.join(', ') || zones.join(', '))}, expected one of ${this.state.zones.join(', ')}`,
      );
    const already = this.state.closedZones.filter((c) => zones.includes(c.zone)).map((c) => c.zone);
    if (already.length > 0)
      throw new FleetError('FLEET_ERR_USAGE', `zone ${already.join(', ')}: a fault there has not ended yet`);
    const at = this.options.clock.now();
    const closing = zones.map((zone) => ({ zone, cause }));
    this.state = { ...this.state, closedZones: [...this.state.closedZones, ...closing] };
    const stopped =
      cause === 'outage'
        ? [...this.records.values()].filter((r) => zones.includes(r.view.zone) && r.process.running())
        : [];
    for (const r of stopped) r.process.signal('SIGKILL');
    const what = cause === 'outage' ? 'AzOutage' : 'LaunchFailure';
    this.emit(
      'fault',
      `Fault${what}`,
      cause === 'outage'
        ? `zone ${zones.join(', ')} down for ${forMs / 1000} s: ${stopped.length} instance(s) stopped (${stopped.map((r) => r.view.id).join(', ') || 'none there'}), launches there fail`
        : `launches fail in ${zones.join(', ')} for ${forMs / 1000} s (InsufficientInstanceCapacity)`,
      { zones, cause, forMs, stopped: stopped.map((r) => r.view.id) },
    );
    const timer = setTimeout(() => {
      this.faultTimers.delete(timer);
      this.state = {
        ...this.state,
        closedZones: this.state.closedZones.filter((c) => !closing.includes(c)),
      };
      this.emit(
        'fault',
        `Fault${what}Ended`,
        `zone ${zones.join(', ')}: the ${cause} fault ended; launches there work again`,
        {
          zones,
          cause,
        },
      );
      this.tick();
    }, forMs);
    this.faultTimers.add(timer);
    this.tick();
    return { stopped: stopped.map((r) => r.view.id), at };
  }

  /**
   * Terminates one instance gracefully (deregistered, drained, SIGTERM), as TerminateInstanceInAutoScaling
   * Group does without decrementing the desired capacity: the group launches its replacement.
   */
  terminateInstance(instanceId: string, decrementDesired = false): { instanceId: string; at: number } {
    const record = this.records.get(instanceId);
    if (!record || record.terminated)
      throw new FleetError(
        'FLEET_ERR_USAGE',
        `instance: got ${JSON.stringify(instanceId)}, expected one of ${[...this.records.values()]
          .filter((r) => !r.terminated)
          .map((r) => r.view.id)
          .join(', ')}`,
      );
    const at = this.options.clock.now();
    if (decrementDesired) {
      if (this.state.desired - 1 < this.policies.scaling.min)
        throw new FleetError(
          'FLEET_ERR_USAGE',
          `desired capacity ${this.state.desired} - 1 would be below min size ${this.policies.scaling.min}`,
        );
      this.state = { ...this.state, desired: this.state.desired - 1, lastCapacityChangeAt: at };
    }
    this.emit(
      'asg',
      'TerminateInstance',
      `${instanceId} terminated by request; desired ${decrementDesired ? `now ${this.state.desired}` : `stays ${this.state.desired}`}`,
      {
        instanceId,
      },
    );
    void this.terminate(record, 'TerminateInstance');
    this.tick();
    return { instanceId, at };
  }

  /** A change asked of the running group (group-requests.ts), applied, recorded, acted on. */
  request(request: GroupRequest): void {
    const outcome = applyRequest(this.state, this.policies, request, this.options.clock.now());
    this.state = outcome.state;
    this.policies = outcome.policies;
    if (outcome.state.refresh) this.refreshes.set(outcome.state.refresh.id, outcome.state.refresh);
    this.emit('asg', outcome.event.reason, outcome.event.message, outcome.event.data);
    const victim = outcome.terminate && this.records.get(outcome.terminate.instanceId);
    if (victim && outcome.terminate) void this.terminate(victim, outcome.terminate.reason);
    this.tick();
  }

  /** Every refresh this run, oldest first (DescribeInstanceRefreshes lists them). */
  allRefreshes(): RefreshState[] {
    return [...this.refreshes.values()];
  }

  refreshStatus(id: string): RefreshState | undefined {
    return this.refreshes.get(id);
  }

  status(): GroupStatus {
    return describeGroup({
      state: this.state,
      records: [...this.records.values()],
      templates: this.templates,
      policies: this.policies,
      balancer: this.options.balancer,
      cpu: this.cpu,
      now: this.options.clock.now(),
    });
  }

  /** Stops reconciling and terminates every instance gracefully (in parallel). */
  async shutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    clearInterval(this.sampler);
    for (const t of this.faultTimers) clearTimeout(t);
    await Promise.all([...this.records.values()].map((r) => this.terminate(r, 'FleetStopping')));
  }

  private observe(): void {
    const group = this.options.balancer.group;
    for (const record of this.records.values()) {
      const target = group.get(record.view.id);
      record.view = {
        ...record.view,
        running: record.process.running(),
        targetHealth: target ? target.state : 'unused',
      };
    }
    this.state = { ...this.state, instances: [...this.records.values()].map((r) => r.view) };
  }

  private act(action: Action): void {
    if (action.type === 'launch') {
      for (let n = 0; n < action.count; n++) this.launch(action.templateVersion, action.reason, action.zone);
      return;
    }
    const record = this.records.get(action.instanceId);
    if (record) void this.terminate(record, action.reason);
  }

  private launch(templateVersion: number, reason: ReasonCode, zone: string): void {
    const now = this.options.clock.now();
    const id = newInstanceId();
    const appVersion = this.templates[templateVersion] ?? '';
    const address = this.options.addresses.allocate();
    const { host, port } = address;
    const release = this.releases[templateVersion];
    const process = this.options.launcher.launch({ id, appVersion, address, cwd: release?.root });
    const view: InstanceView = {
      id,
      templateVersion,
      launchedAt: now,
      inServiceAt: undefined,
      lifecycle: 'pending',
      running: process.running(),
      targetHealth: 'unused',
      zone,
      launchReason: reason,
    };
    this.records.set(id, { view, process, appVersion, release });
    this.state = { ...this.state, instances: [...this.state.instances, view] };
    this.emit(
      'instance',
      'InstanceLaunched',
      `${id} (${appVersion}${release ? ` from release ${release.sha.slice(0, 7)}` : ''}) launched in ${zone} at ${host}:${port}, pid ${process.pid}`,
      {
        instanceId: id,
        zone,
        appVersion,
        ...(release ? { release: release.sha } : {}),
        cause: reason,
      },
    );
    void this.registerWhenBooted(id);
  }

  /**
   * EC2 registers an instance with the target group when it enters InService; here that is when its port
   * accepts connections (the process has booted) on a socket its own processes hold, or at the grace period,
   * whichever is first. A socket held by another process (an older instance listening on all interfaces)
   * would answer this instance's health checks: that launch fails instead, with the reason.
   */
  private async registerWhenBooted(id: string): Promise<void> {
    const record = this.records.get(id);
    if (!record) return;
    const deadline =
      this.options.clock.now() + Math.max(1000, this.policies.scaling.healthCheckGracePeriodMs);
    let wrongOwner: string | undefined;
    while (this.options.clock.now() < deadline && record.process.running() && !this.stopping) {
      if (await portOpen(record.process.host, record.process.port)) {
        const ownership = record.process.ownsListener((pid, pgid) => this.instanceOfGroup(pid, pgid));
        if (ownership.owned !== false) {
          wrongOwner = undefined;
          break;
        }
        wrongOwner = ownership.reason;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const current = this.records.get(id);
    if (current?.view.lifecycle !== 'pending' || this.stopping) return;
    if (wrongOwner !== undefined || !record.process.running()) {
      const exit = record.process.running() ? undefined : await record.process.exited;
      const why =
        wrongOwner ??
        `the process exited (${exit?.code ?? exit?.signal}) before it served; log: ${record.process.logFile}`;
      this.emit('instance', 'InstanceLaunchFailed', `${id} failed to launch: ${why}`, { instanceId: id });
      void this.terminate(current, 'InstanceExited');
      return;
    }
    const now = this.options.clock.now();
    current.view = { ...current.view, lifecycle: 'in-service', inServiceAt: now };
    this.options.balancer.register(id, record.process.host, record.process.port);
    this.emit(
      'instance',
      'InstanceInService',
      `${id} in service after ${now - current.view.launchedAt} ms; registered with the target group`,
      {
        instanceId: id,
      },
    );
  }

  private instanceOfGroup(pid: number, pgid: number | undefined): string | undefined {
    const record = [...this.records.values()].find((r) => r.process.pid === pgid || r.process.pid === pid);
    return record && `instance ${record.view.id} (pid ${pid})`;
  }

  /** deregister → drain → SIGTERM → grace → SIGKILL → gone. Starts once per instance. */
  private terminate(record: InstanceRecord, reason: ReasonCode): Promise<void> {
    record.terminated ??= this.runTermination(record, reason);
    return record.terminated;
  }

  private async runTermination(record: InstanceRecord, reason: ReasonCode): Promise<void> {
    const id = record.view.id;
    record.view = { ...record.view, lifecycle: 'terminating', terminationReason: reason };
    const started = this.options.clock.now();
    if (record.process.running()) {
      if (this.options.balancer.group.get(id)) await this.options.balancer.deregister(id);
      record.process.signal('SIGTERM');
      if (record.hung) record.process.signal('SIGCONT');
      const exitedInTime = await Promise.race([
        record.process.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), this.options.terminationGraceMs)),
      ]);
      if (!exitedInTime) {
        this.emit(
          'instance',
          'InstanceKilled',
          `${id} did not exit within ${this.options.terminationGraceMs} ms of SIGTERM: SIGKILL`,
          {
            instanceId: id,
          },
        );
        record.process.signal('SIGKILL');
      }
    } else if (this.options.balancer.group.get(id)) {
      await this.options.balancer.deregister(id);
    }
    const { code, signal } = await record.process.exited;
    record.process.cleanup();
    this.cpu.forget(id);
    this.records.delete(id);
    this.emit(
      'instance',
      'InstanceTerminated',
      `${id} terminated (${reason}) in ${this.options.clock.now() - started} ms, exit ${code ?? signal}`,
      {
        instanceId: id,
        cause: reason,
      },
    );
    this.tick();
  }

  private sampleCpu(): void {
    const now = this.options.clock.now();
    const vCpus = this.options.vCpus;
    for (const record of this.records.values()) {
      if (record.process.running()) this.cpu.sample(record.view.id, record.process.cpuSeconds(), vCpus, now);
    }
    const warmupMs = this.policies.scaling.instanceWarmupMs;
    this.cpu.closePeriods(now, vCpus, (id) => {
      const view = this.records.get(id)?.view;
      return view !== undefined && view.lifecycle === 'in-service' && !isWarming(view, now, warmupMs);
    });
  }

  private emit(source: FleetEvent['source'], reason: string, message: string, data?: object): void {
    this.options.onEvent({ t: this.options.clock.now(), source, reason, message, ...(data ? { data } : {}) });
  }
}
